#!/usr/bin/env node
// Writes README.md's API table (between <!-- apis:begin --> and <!-- apis:end -->)
// from apis/*.json; run by scripts/build.mjs. `--check` exits 1 when the
// committed table is stale (scripts/test.mjs runs it).
import { readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { clientOf } from "../js/descriptors.mjs";
import { readDescriptors } from "./gen-apis.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const BEGIN = "<!-- apis:begin -->";
const END = "<!-- apis:end -->";

// A table cell: no line breaks, no bare `|`.
const cell = (s) => String(s).replace(/\s+/g, " ").replace(/\|/g, "\\|");
const GATEWAY = { top: () => "TOP router", linkedmall: (d) => `LinkedMall (Aliyun RPC, Version ${d.version})` };
const VAR = { TopClient: "top", LinkedMallClient: "lm" };

function repeatSafe(r) {
  if (r?.read) return `yes: ${r.why}`;
  if (r?.dedupeKeys?.length) return `when ${r.dedupeKeys.map((k) => `\`${k}\``).join(", ")} ${r.dedupeKeys.length > 1 ? "are" : "is"} given: ${r.why}`;
  return "never";
}

/** The table's Markdown, one row per descriptor. */
export function apiTable(list = readDescriptors()) {
  // TOP router APIs first, then LinkedMall's; by name within each.
  const order = [...list].sort((a, b) => (a.endpoint === b.endpoint ? (a.api < b.api ? -1 : 1) : a.endpoint === "top" ? -1 : 1));
  const rows = order.map((d) => [
    `\`${d.api}\` (${d.title})`,
    GATEWAY[d.endpoint](d),
    `\`${VAR[clientOf(d)]}.${d.shortcut}(params)\`, \`new ${d.builder}()\``,
    { required: "required", optional: "optional", none: "no" }[d.session],
    repeatSafe(d.repeatSafe),
  ].map(cell));
  return [
    "| API | Gateway | Client method, builder | Session | Safe to repeat |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** README text with the table replaced (throws when the markers are missing). */
export function withTable(readme, table = apiTable()) {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md needs the markers ${BEGIN} and ${END}`);
  return `${readme.slice(0, a + BEGIN.length)}\n${table}\n${readme.slice(b)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = join(root, "README.md");
  const old = readFileSync(path, "utf8");
  const next = withTable(old);
  if (process.argv.includes("--check")) {
    if (next !== old) {
      console.error("README.md's API table is stale: run node scripts/gen-readme.mjs (npm run build does)");
      process.exit(1);
    }
  } else if (next !== old) {
    writeFileSync(path, next);
  }
}
