// Rules that turn an API descriptor (apis/*.json, format in apis/README.md)
// into its JS surface: the client that sends it, its shortcut method and its
// builder's setters. The runtime (core.mjs) and the type generator both use
// these, so a builder's methods and their declared types cannot drift.

/** The client class that sends an API of this descriptor. */
export const clientOf = (d) => (d.endpoint === "linkedmall" ? "LinkedMallClient" : "TopClient");

/** `order_pay_time` → `orderPayTime`, `BizId` → `bizId`. */
export function camel(name) {
  const s = name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
  return s[0].toLowerCase() + s.slice(1);
}

const singular = (s) => (s.endsWith("s") ? s.slice(0, -1) : s);
const upper = (s) => s[0].toUpperCase() + s.slice(1);

/**
 * A builder's setters, in order: `[method, path, field]`. `path` is `key`,
 * `outer.key`, or `+outer.key` (append one element to a list). Every top-level
 * field gets a setter; the children of a top-level object get their own too
 * (`orderStatus` for `param0.order_status`), and each list an `add…` method.
 */
export function builderSetters(d) {
  const out = [];
  const taken = new Set();
  const add = (method, path, field) => {
    if (taken.has(method)) return;
    taken.add(method);
    out.push([method, path, field]);
  };
  const withList = (f, path) => {
    add(camel(f.name), path, f);
    if (f.type === "list") add(`add${upper(singular(camel(f.name)))}`, `+${path}`, f);
  };
  for (const f of d.request) withList(f, f.name);
  for (const f of d.request) {
    if (f.type !== "object") continue;
    for (const c of d.types[f.of]) withList(c, `${f.name}.${c.name}`);
  }
  return out;
}

/**
 * The clients' surface for a list of descriptors: `shortcuts` (client class →
 * { method: api }) and `builders` (builder class → [api, [[setter, path]…]]).
 */
export function jsSurface(list) {
  const shortcuts = { TopClient: {}, LinkedMallClient: {} };
  for (const d of list) shortcuts[clientOf(d)][d.shortcut] = d.api;
  const builders = Object.fromEntries(list.map((d) => [d.builder, [d.api, builderSetters(d).map(([method, path]) => [method, path])]]));
  return { shortcuts, builders };
}
