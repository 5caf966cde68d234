// The admin page: a form per API built from the reference pages' fields, live
// validation by aligate's Rust validators (the browser build), a preview of
// the request, and sending through the signing proxy (/api). No secret here.
import { init, validateParams } from "aligate";

const f = (name, type, required = false, values) => ({ name, type, required, values });
const DT = "datetime";
const SUB_ORDER = [
  f("sub_biz_order_id", "string", true), f("auction_id", "string", true), f("auction_title", "string", true),
  f("out_item_id", "string", true), f("out_item_name", "string"), f("out_sku_id", "string"), f("out_sku_name", "string"),
  f("price", "int", true), f("freight", "int", true), f("amount", "int", true),
  f("amount_type", "enum", true, ["member_point", "currency"]), f("pay_type", "enum", true, ["alipay", "weixin"]),
  f("currency_type", "enum", true, ["yuan"]), f("qty", "int", true), f("point_grant", "int", true),
  f("return_amount", "int"), f("return_amount_type", "enum", false, ["member_point", "currency"]),
  f("return_currency_type", "enum", false, ["fen"]), f("uid", "string", true), f("return_point_grant", "int", true),
];
const MAIN_ORDER = [
  f("main_biz_order_id", "string", true), f("create_date", DT, true), f("biz_date", DT, true), f("seller_id", "string", true),
  f("sale_type", "enum", true, ["sell", "proxy"]), { name: "sub_orders", type: "list", required: true, fields: SUB_ORDER },
];
const relaxed = (fields) => fields.map((x) => ({ ...x, required: false, fields: x.fields && relaxed(x.fields) }));

const APIS = {
  "alibaba.retail.commission.status.change": [{ name: "param0", type: "object", fields: [
    f("order_pay_time", DT), f("outer_order_id", "string"), f("order_status", "enum", true, ["0", "1", "2"]),
    f("order_goods_time", DT), f("order_end_time", DT), f("biz_order_id", "string"), f("order_id", "string", true)] }],
  "alibaba.alisports.lianbei.order.notice": [f("biz_order_id", "int", true)],
  "aliyun.gsc.funds.flow.notify": [{ name: "official_funds_record_request", type: "object", required: true, fields: [
    { name: "payments", type: "list", required: true, fields: MAIN_ORDER },
    { name: "confirms", type: "list", fields: relaxed(MAIN_ORDER) },
    { name: "refunds", type: "list", fields: relaxed(MAIN_ORDER) }] }],
  ConfirmDisburse: [f("BizId", "string", true), f("BizUid", "string", true), f("LmOrderId", "string", true),
    f("UseAnonymousTbAccount", "enum", false, ["true", "false"]), f("ThirdPartyUserId", "string"), f("AccountType", "string")],
};

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...kids) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
};

/** Renders `fields` under `path` into `parent`; returns a collector building the params. */
function render(fields, path, parent) {
  const collectors = [];
  for (const field of fields) {
    const p = path ? `${path}.${field.name}` : field.name;
    if (field.type === "object") {
      const box = el("fieldset", {}, el("legend", { textContent: field.name }));
      parent.append(box);
      const inner = render(field.fields, p, box);
      collectors.push((out) => {
        const v = inner({});
        if (Object.keys(v).length || field.required) out[field.name] = v;
      });
    } else if (field.type === "list") {
      const box = el("fieldset", { className: "list" }, el("legend", { textContent: `${field.name} []` }));
      const items = [];
      const add = el("button", { type: "button", textContent: `add ${field.name.replace(/s$/, "")}`, className: "add" });
      add.dataset.list = p;
      box.append(add);
      parent.append(box);
      const addItem = () => {
        const i = items.length;
        const item = el("fieldset", {}, el("legend", { textContent: `${field.name}[${i}]` }));
        box.insertBefore(item, add);
        items.push(render(field.fields, `${p}[${i}]`, item));
        update();
      };
      add.addEventListener("click", addItem);
      if (field.required) addItem();
      collectors.push((out) => {
        if (items.length || field.required) out[field.name] = items.map((c) => c({}));
      });
    } else {
      const input = field.type === "enum"
        ? el("select", {}, el("option", { value: "", textContent: "—" }), ...field.values.map((v) => el("option", { value: v, textContent: v })))
        : el("input", { type: "text", placeholder: field.type === DT ? "yyyy-MM-dd HH:mm:ss" : field.type === "int" ? "integer" : "" });
      input.dataset.path = p;
      input.name = p;
      const error = el("div", { className: "error" });
      error.dataset.errorFor = p;
      const row = el("div", { className: "field" }, el("label", { textContent: field.name, className: field.required ? "req" : "", htmlFor: p }), input, error);
      input.id = p;
      parent.append(row);
      input.addEventListener("input", update);
      input.addEventListener("change", update);
      collectors.push((out) => {
        const v = input.value;
        if (v === "") return;
        // Integers go as decimal strings: exact to 19 digits (JS numbers are not).
        if (field.name === "order_status") out[field.name] = Number(v);
        else if (field.name === "UseAnonymousTbAccount") out[field.name] = v === "true";
        else out[field.name] = v;
      });
    }
  }
  return (out) => {
    for (const c of collectors) c(out);
    return out;
  };
}

let collect = () => ({});
let currentApi = "";
let previewTimer;

function params() {
  return collect({});
}

function update() {
  const p = params();
  const issues = validateParams(currentApi, p);
  for (const e of document.querySelectorAll("[data-error-for]")) e.textContent = "";
  for (const e of document.querySelectorAll(".field.invalid")) e.classList.remove("invalid");
  const unplaced = [];
  for (const i of issues) {
    const target = document.querySelector(`[data-error-for="${CSS.escape(i.path)}"]`);
    if (target) {
      target.textContent = target.textContent ? `${target.textContent}; ${i.message}` : i.message;
      target.parentElement.classList.add("invalid");
    } else {
      unplaced.push(`${i.path}: ${i.message}`);
    }
  }
  $("summary").textContent = issues.length ? `${issues.length} problem(s). ${unplaced.join("; ")}` : "Valid.";
  $("summary").dataset.valid = String(issues.length === 0);
  $("preview").textContent = `POST /api\nAuthorization: Bearer ••••\n\n${JSON.stringify({ api: currentApi, params: p }, null, 2)}`;
  clearTimeout(previewTimer);
  $("signed").textContent = "";
  if (!issues.length && $("token").value) previewTimer = setTimeout(() => signedPreview(p), 250);
}

async function post(body) {
  const r = await fetch("/api", { method: "POST", headers: { authorization: `Bearer ${$("token").value}`, "content-type": "application/json" },
    body: JSON.stringify(body) });
  return { status: r.status, json: await r.json().catch(() => ({ ok: false, error: { message: "unreadable response" } })) };
}

async function signedPreview(p) {
  const { json } = await post({ api: currentApi, params: p, dryRun: true });
  if (json.ok) {
    const s = json.prepared;
    $("signed").textContent = `${s.method} ${s.url}\n${Object.entries(s.headers).map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${s.body ?? ""}`;
  }
}

async function send() {
  const out = $("response");
  out.className = "";
  out.textContent = "sending…";
  const { status, json } = await post({ api: currentApi, params: params() });
  out.className = json.ok ? "ok" : "fail";
  out.textContent = json.ok
    ? `HTTP ${status}\n${JSON.stringify(json.result, null, 2)}`
    : `HTTP ${status} — ${json.error.kind}: ${json.error.message}\n${JSON.stringify(json.error, null, 2)}`;
}

function choose(api) {
  currentApi = api;
  const form = $("form");
  form.replaceChildren();
  collect = render(APIS[api], "", form);
  $("response").textContent = "";
  update();
}

await init();
for (const api of Object.keys(APIS)) $("api").append(el("option", { value: api, textContent: api }));
$("api").addEventListener("change", (e) => choose(e.target.value));
$("token").value = new URLSearchParams(location.hash.slice(1)).get("token") ?? "";
$("token").addEventListener("input", update);
$("send").addEventListener("click", send);
choose(Object.keys(APIS)[0]);
document.body.dataset.ready = "true";
