// Parser and validator time per byte, 1 KB to 4 MB, for the shapes a hostile
// body takes (issue 17 item 3): JSON and XML, wide objects (distinct keys),
// wide arrays / repeated siblings, deep nesting. Flat ns/byte across sizes is
// linear work; JSON.parse of the same text is the same-run baseline.
const SIZES = [1_000, 64_000, 1_000_000, 4_000_000];

// Each builder returns text of about `n` bytes.
const repeatTo = (n, open, item, close) => {
  const parts = [open];
  let len = open.length + close.length;
  for (let i = 0; len < n; i++) {
    const s = (i ? "," : "") + item(i);
    parts.push(s);
    len += s.length;
  }
  parts.push(close);
  return parts.join("");
};
const DEPTH = 100;
const deepJson = "{\"a\":".repeat(DEPTH) + "1" + "}".repeat(DEPTH);
const deepXml = "<d>".repeat(DEPTH) + "1" + "</d>".repeat(DEPTH);
const SHAPES = {
  "JSON object, distinct keys": { format: "json", make: (n) => repeatTo(n, "{", (i) => `"k${i}":${i}`, "}") },
  // TOP answers are objects: arrays sit in one member.
  "JSON array": { format: "json", make: (n) => repeatTo(n, "{\"a\":[", (i) => `${i}`, "]}") },
  "JSON deep (depth 100, repeated)": { format: "json", make: (n) => repeatTo(n, "{\"a\":[", () => deepJson, "]}") },
  "XML distinct siblings": { format: "xml", make: (n) => repeatTo(n, "<r>", (i) => `<k${i}>${i}</k${i}>`, "</r>").replaceAll(",", "") },
  "XML repeated siblings": { format: "xml", make: (n) => repeatTo(n, "<r>", (i) => `<i a=">">${i}</i>`, "</r>").replaceAll(",", "") },
  "XML deep (depth 100, repeated)": { format: "xml", make: (n) => repeatTo(n, "<r>", () => deepXml, "</r>").replaceAll(",", "") },
};

function nsPerByte(fn, bytes) {
  // Enough repetitions for ~8 MB of input per sample; median of 5 samples.
  const reps = Math.max(1, Math.round(8e6 / bytes));
  fn();
  const samples = [];
  for (let s = 0; s < 5; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / reps / bytes);
  }
  return samples.sort((x, y) => x - y)[2];
}

export function parserRows(a) {
  const rows = [];
  const enc = new TextEncoder();
  for (const [what, shape] of Object.entries(SHAPES)) {
    const ours = [];
    const base = [];
    for (const n of SIZES) {
      const text = shape.make(n);
      const body = enc.encode(text);
      const ct = shape.format === "json" ? "application/json" : "text/xml";
      ours.push(nsPerByte(() => a.decodeResponse("x.bench", 200, ct, body, { format: shape.format, simplify: true }), body.length));
      base.push(shape.format === "json" ? nsPerByte(() => JSON.parse(text), body.length) : NaN);
    }
    rows.push({ what: `decodeResponse, ${what}`, ours, base });
  }
  for (const [what, api] of [
    ["validateParams, unmodelled API, distinct keys", "x.bench"],
    ["validateParams, modelled API, unknown keys", "alibaba.alisports.lianbei.order.notice"],
  ]) {
    const ours = [];
    const base = [];
    for (const n of SIZES) {
      const params = JSON.parse(SHAPES["JSON object, distinct keys"].make(n));
      const bytes = JSON.stringify(params).length;
      ours.push(nsPerByte(() => a.validateParams(api, params), bytes));
      base.push(nsPerByte(() => JSON.stringify(params), bytes));
    }
    rows.push({ what, ours, base });
  }
  return rows;
}

export const PARSER_SIZES = SIZES;

export function parserTable(rows) {
  const head = SIZES.map((n) => (n >= 1e6 ? `${n / 1e6} MB` : `${n / 1e3} KB`));
  const f = (x) => (Number.isNaN(x) ? "–" : x.toFixed(2));
  return [
    `| input (ns/byte; baseline in parentheses: JSON.parse, or JSON.stringify for validateParams) | ${head.join(" | ")} | 4 MB / 1 KB |`,
    `| --- | ${head.map(() => "---:").join(" | ")} | ---: |`,
    ...rows.map((r) => `| ${r.what} | ${r.ours.map((x, i) => `${f(x)} (${f(r.base[i])})`).join(" | ")} | ${(r.ours.at(-1) / r.ours[0]).toFixed(2)} |`),
  ];
}
