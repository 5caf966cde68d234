// Run by scripts/test.mjs inside a temporary copy of the repository whose
// apis/alibaba.retail.commission.status.change.json gained one field
// (`store_code`, optional, values S1 | S2) and was rebuilt: the one edit must
// reach validation (the Rust tables), the builder, the types, the CLI and the
// sandbox. argv[2] is the unedited repository, where the field must be unknown.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const [copy, original] = [process.cwd(), process.argv[2]];
const API = "alibaba.retail.commission.status.change";
const params = (store_code) => ({ param0: { order_id: "1234567890123456789", order_status: 1, outer_order_id: "o-1", store_code } });
const edited = await import(join(copy, "js/node.mjs"));
const before = await import(join(original, "js/node.mjs"));

// Validation: the copy knows the field and its value set; the original does not know it.
assert.deepEqual(edited.validateParams(API, params("S1")), []);
assert.deepEqual(edited.validateParams(API, params("S3")).map((i) => i.path), ["param0.store_code"]);
assert.deepEqual(before.validateParams(API, params("S1")).map((i) => i.path), ["param0.store_code"]);

// Builder: a setter from the descriptor rule, validated by the same tables.
const b = new edited.CommissionStatusChangeRequest().orderId("1").orderStatus(0).storeCode("S2");
b.validate(); // throws an AligateError when invalid
assert.throws(() => new edited.CommissionStatusChangeRequest().orderId("1").orderStatus(0).storeCode("S3").validate(), /store_code/);
assert.equal(typeof new before.CommissionStatusChangeRequest().storeCode, "undefined");

// Types: the generated declarations carry the field with its value set.
const dts = readFileSync(join(copy, "js/index.d.ts"), "utf8");
assert.match(dts, /store_code\?: "S1" \| "S2"/);
assert.match(dts, /storeCode\(value: "S1" \| "S2"\): this;/);

// CLI: `call` with no credentials and no endpoint runs against an in-process sandbox of the copy.
const cli = (v) => spawnSync(process.execPath, [join(copy, "js/cli.mjs"), "call", API, "--param", "param0.order_id=1",
  "--param", "param0.order_status=0", "--param", `param0.store_code=${v}`], { encoding: "utf8", timeout: 60_000 });
const ok = cli("S1");
assert.equal(ok.status, 0, ok.stderr);
assert.match(ok.stdout, /"s_success": ?true/);
const bad = cli("S3");
assert.notEqual(bad.status, 0);
assert.match(bad.stderr, /param0\.store_code/);
assert.match(spawnSync(process.execPath, [join(copy, "js/cli.mjs"), "call", "--help"], { encoding: "utf8" }).stdout + "", /./);

// Sandbox: its own checks (a request signed by hand, past the client's validation) use the copy's tables.
const { startSandbox, TEST_CREDENTIALS: C } = await import(join(copy, "js/sandbox.mjs"));
const sb = await startSandbox({ port: 0, host: "127.0.0.1", log: () => {} });
try {
  const raw = async (v) => {
    const p = { method: API, app_key: C.appKey, session: C.session, format: "json", v: "2.0", sign_method: "md5",
      timestamp: edited.topTimestamp(Date.now()), param0: JSON.stringify(params(v).param0) };
    p.sign = edited.signTop(p, C.appSecret, "md5");
    return (await fetch(sb.topEndpoint, { method: "POST", body: new URLSearchParams(p) })).json();
  };
  assert.equal((await raw("S1")).alibaba_retail_commission_status_change_response?.s_success, true);
  const refused = await raw("S3");
  assert.ok(refused.error_response, JSON.stringify(refused));
  assert.match(JSON.stringify(refused), /store_code/);
} finally {
  await sb.close();
}
console.log("descriptor edit: validation, builder, types, CLI and sandbox all follow the one edit");
