#!/usr/bin/env node
// js/index.d.ts = scripts/types/template.d.ts (what is not a model fact) + the declarations of every API in
// apis/*.json: request and response interfaces, builders (setters from js/descriptors.mjs, the runtime's own
// rule), shortcuts and the TopApis / LinkedMallApis maps. Run by scripts/build.mjs; the output is not in git.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { builderSetters, clientOf } from "../js/descriptors.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Every client, whether or not an API uses it: the template refers to each one's map, builder union and shortcuts. */
const CLIENTS = ["TopClient", "LinkedMallClient"];
const prefix = (client) => client.replace(/Client$/, "");
const upper = (s) => s[0].toUpperCase() + s.slice(1);

/** `/** text *\/` on one line (a `*\/` in the text cannot end it). */
const doc = (text, indent = "") => (text ? `${indent}/** ${String(text).replace(/\*\//g, "*\\/").replace(/\s*\n\s*/g, " ")} */\n` : "");
const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));
/** A value set as literals: numbers also as bigints (`0 | 1 | 2 | 0n | 1n | 2n`), so the union never widens. */
const literals = (values) => [...values.map((v) => JSON.stringify(v)), ...values.filter((v) => typeof v === "number").map((v) => `${v}n`)].join(" | ");

/** The declarations of one descriptor, plus the named types they use (name → text), checked against other APIs'. */
function declareApi(d, named) {
  const base = upper(d.shortcut);
  const where = `apis/${d.api}.json`;
  const typeOf = (name) => {
    const t = d.types[name];
    if (!t) throw new Error(`${where}: no type ${name} in "types"`);
    return t;
  };
  // Types the request uses: a response type of the same name is declared as `<name>Result`.
  const inRequest = new Set();
  const walk = (fields) => {
    for (const f of fields) {
      if (!f.of || inRequest.has(f.of)) continue;
      inRequest.add(f.of);
      walk(typeOf(f.of));
    }
  };
  walk(d.request);
  // One declaration per name across all APIs: another API's type of the same name must be the same.
  const need = (name, side, relaxed) => {
    const id = side === "response" ? `${name}${inRequest.has(name) ? "Result" : ""}` : relaxed ? `Optional${name}` : name;
    const seen = named.get(id);
    if (seen?.api === d.api) return id;
    named.set(id, { api: d.api, text: "" }); // a type that contains itself ends here
    const text = objectType(id, typeOf(name), side, relaxed);
    if (seen && seen.text !== text) throw new Error(`${where}: type ${id} differs from the one in apis/${seen.api}.json`);
    named.set(id, seen ?? { api: d.api, text });
    return id;
  };
  const fieldType = (f, side, relaxed) => {
    if (f.values && side === "request") return literals(f.values);
    switch (f.type) {
      case "string": return "string";
      case "int": return side === "request" ? "Int64" : "ResponseInt";
      case "bool": return "boolean";
      case "datetime": return side === "request" ? "DateTime" : "string";
      case "object": return need(f.of, side, relaxed || f.relaxed);
      case "list": return side === "request" ? `readonly ${need(f.of, side, relaxed || f.relaxed)}[]` : `${need(f.of, side, false)}[]`;
      default: throw new Error(`${where}: field ${f.name} has unknown type ${f.type}`);
    }
  };
  const members = (fields, side, relaxed, success) => {
    let out = "";
    for (const f of fields) {
      if (side === "request" && f.required && f.alias && !relaxed) {
        throw new Error(`${where}: ${f.name} is required and has an alias: gen-types declares aliases as optional keys only`);
      }
      const optional = side === "request" ? relaxed || !f.required : !(success && success.field === f.name);
      const type = success?.field === f.name ? JSON.stringify(success.equals) : fieldType(f, side, relaxed);
      out += doc(f.description, "  ") + `  ${key(f.name)}${optional ? "?" : ""}: ${type};\n`;
      if (side === "request" && f.alias) {
        out += doc(`Another spelling of \`${f.name}\`: accepted, sent as \`${f.name}\`.`, "  ") +
          `  ${key(f.alias)}?: ${type};\n`;
      }
    }
    return out;
  };
  function objectType(id, fields, side, relaxed) {
    const note = relaxed ? doc("Every field optional (a relaxed subtree: the reference page lists them so).") : "";
    return `${note}export interface ${id} {\n${members(fields, side, relaxed)}}\n`;
  }

  const client = clientOf(d);
  const params = `${base}Params`;
  const result = `${base}Result`;
  const about = `\`${d.api}\` ${d.title}: ${d.summary}`;
  const session = d.session === "required" ? " Needs the user's `session` (a client option or per call)." : "";
  let out = `// ── ${d.api} ${"─".repeat(Math.max(3, 100 - d.api.length))}\n`;
  out += doc(`Parameters of ${about}`) + `export interface ${params} {\n${members(d.request, "request", false)}}\n`;
  const extend = d.protocol === "top" ? " extends TopResponse" : "";
  out += doc(`The decoded success of ${about}`) + `export interface ${result}${extend} {\n${members(d.response, "response", false, d.success)}}\n`;

  // Builder: one typed setter per builderSetters entry (`+path` appends one element to a list).
  const outerOf = (path) => (path.includes(".") ? d.request.find((f) => f.name === path.replace(/^\+/, "").split(".")[0]) : null);
  let setters = "";
  for (const [method, path, f] of builderSetters(d)) {
    const relaxed = Boolean(outerOf(path)?.relaxed);
    const type = path.startsWith("+") ? need(f.of, "request", relaxed || f.relaxed) : fieldType(f, "request", relaxed);
    const what = path.startsWith("+") ? `Appends one element to \`${path.slice(1)}\`.` : `Sets \`${path}\`.`;
    setters += doc(`${what}${f.description ? ` ${f.description}` : ""}`, "  ") + `  ${method}(value: ${type}): this;\n`;
  }
  out += doc(`Builder for ${about}`) +
    `export declare class ${d.builder} implements Builder<${JSON.stringify(d.api)}> {\n  constructor();\n` +
    `  readonly api: ${JSON.stringify(d.api)};\n${setters}  validate(): void;\n  toJSON(): Record<string, unknown>;\n  free(): void;\n}\n`;
  return {
    out,
    client,
    entry: doc(`${d.title}: ${d.summary}`, "  ") + `  ${JSON.stringify(d.api)}: { params: ${params}; result: ${result} };\n`,
    shortcut: doc(`${about}.${session}`, "  ") +
      `  ${d.shortcut}(params: ${params} | JsonText, options?: ${prefix(client)}CallOptions): Promise<${result}>;\n`,
  };
}

/** The text of js/index.d.ts for the descriptors in `dir`. */
export function generateTypes(dir = join(root, "apis")) {
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const descriptors = files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
  const named = new Map();
  const apis = descriptors.map((d) => declareApi(d, named));
  let out = "// Generated by scripts/gen-types.mjs from scripts/types/template.d.ts and apis/*.json: edit those.\n\n";
  out += readFileSync(join(root, "scripts/types/template.d.ts"), "utf8").replace(/^(\/\/.*\n)+\n/, "");
  out += "\n// ══ Generated from apis/*.json ═══════════════════════════════════════════════════════════════════════════\n\n";
  for (const a of apis) out += a.out + "\n";
  out += "// ── Named types ────────────────────────────────────────────────────────────────────────────────────────\n";
  for (const { text } of named.values()) out += text;
  for (const client of CLIENTS) {
    const mine = apis.filter((a) => a.client === client);
    const p = prefix(client);
    out += `\n/** ${client}'s modelled APIs: name → { params, result }. */\nexport interface ${p}Apis {\n${mine.map((a) => a.entry).join("")}}\n`;
    const builders = descriptors.filter((d) => clientOf(d) === client).map((d) => d.builder);
    out += `/** A builder of an API that ${client} sends. */\nexport type ${p}Builder = ${builders.join(" | ") || "never"};\n`;
    out += `interface ${client}Shortcuts {\n${mine.map((a) => a.shortcut).join("")}}\n`;
  }
  // Only what is exported above is public (a .d.ts module otherwise exports every declaration).
  return out + "\nexport {};\n";
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(root, "js/index.d.ts"), generateTypes());
}
