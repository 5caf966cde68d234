// The admin page in headless Chromium (Debian's, driven by playwright-core):
// live validation from the Rust validators, a fix, a send through the signing
// proxy to the sandbox, and a screenshot saved as a test artifact.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startAdmin } from "../../examples/admin/server.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const artifacts = join(root, "test-artifacts");
let admin;
let browser;
let page;
const logs = [];

before(async () => {
  admin = await startAdmin({ port: 0, log: (l) => logs.push(l) });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => logs.push(`pageerror: ${e}`));
  await page.goto(admin.pageUrl);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
});
after(async () => {
  await browser?.close();
  await admin?.close();
});

const errorFor = (path) => page.locator(`[data-error-for="${path}"]`);

test("typing an invalid value shows the validator's message at the field's path; fixing it clears it", async () => {
  await page.selectOption("#api", "alibaba.alisports.lianbei.order.notice");
  await page.fill('[data-path="biz_order_id"]', "12a");
  await assert.doesNotReject(errorFor("biz_order_id").getByText("expected an integer").waitFor({ timeout: 5000 }));
  assert.equal(await page.getAttribute("#summary", "data-valid"), "false");
  await page.fill('[data-path="biz_order_id"]', "1234567890123456789");
  await page.waitForFunction(() => document.querySelector("#summary").dataset.valid === "true");
  assert.equal(await errorFor("biz_order_id").textContent(), "");
  await page.locator("#signed").getByText("sign=").waitFor({ timeout: 5000 });
  assert.match(await page.textContent("#preview"), /"biz_order_id": "1234567890123456789"/);
});

test("send goes through the proxy to the sandbox and shows its response", async () => {
  await page.click("#send");
  await page.locator("#response.ok").waitFor({ timeout: 10_000 });
  const text = await page.textContent("#response");
  assert.match(text, /HTTP 200/);
  assert.match(text, /"biz_order_id": "1234567890123456789"/);
  assert.match(text, /"alisp_code": 200/);
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, "admin-lianbei.png"), fullPage: true });
  assert.ok(logs.some((l) => /alibaba.alisports.lianbei.order.notice .*-> 200 ok/.test(l)), logs.join("\n"));
});

test("nested sub-orders: errors carry the full path; a fixed funds flow is accepted by the sandbox", async () => {
  await page.selectOption("#api", "aliyun.gsc.funds.flow.notify");
  const P = "official_funds_record_request.payments[0]";
  const S = `${P}.sub_orders[0]`;
  await page.fill(`[data-path="${S}.price"]`, "1.5");
  await errorFor(`${S}.price`).getByText("expected an integer, got string \"1.5\"").waitFor({ timeout: 5000 }).catch(async () => {
    await errorFor(`${S}.price`).getByText("expected an integer").waitFor({ timeout: 5000 });
  });
  const values = {
    [`${P}.main_biz_order_id`]: "M-1", [`${P}.create_date`]: "2026-11-22 09:00:00", [`${P}.biz_date`]: "2026-11-22 10:00:00",
    [`${P}.seller_id`]: "gmall", [`${S}.sub_biz_order_id`]: "S-1", [`${S}.auction_id`]: "A-1", [`${S}.auction_title`]: "健身月卡",
    [`${S}.out_item_id`]: "I-1", [`${S}.price`]: "9900", [`${S}.freight`]: "0", [`${S}.amount`]: "9900", [`${S}.qty`]: "1",
    [`${S}.point_grant`]: "99", [`${S}.uid`]: "p_M-1_S-1", [`${S}.return_point_grant`]: "0",
  };
  for (const [path, v] of Object.entries(values)) await page.fill(`[data-path="${path}"]`, v);
  for (const [path, v] of Object.entries({ [`${P}.sale_type`]: "sell", [`${S}.amount_type`]: "currency", [`${S}.pay_type`]: "alipay", [`${S}.currency_type`]: "yuan" })) {
    await page.selectOption(`[data-path="${path}"]`, v);
  }
  await page.waitForFunction(() => document.querySelector("#summary").dataset.valid === "true", null, { timeout: 5000 });
  // Adding an empty second sub-order is caught at its own path, then it is removed by switching APIs back and forth.
  await page.click(`[data-list="${P}.sub_orders"]`);
  await errorFor(`${P}.sub_orders[1].uid`).getByText("required field is missing").waitFor({ timeout: 5000 });
  for (const [path, v] of Object.entries(values)) {
    if (path.startsWith(S)) await page.fill(`[data-path="${path.replace("sub_orders[0]", "sub_orders[1]")}"]`, v.replace("S-1", "S-2"));
  }
  for (const [path, v] of Object.entries({ [`${S}.amount_type`]: "currency", [`${S}.pay_type`]: "weixin", [`${S}.currency_type`]: "yuan" })) {
    await page.selectOption(`[data-path="${path.replace("sub_orders[0]", "sub_orders[1]")}"]`, v);
  }
  await page.waitForFunction(() => document.querySelector("#summary").dataset.valid === "true", null, { timeout: 5000 });
  await page.click("#send");
  await page.locator("#response.ok").waitFor({ timeout: 10_000 });
  assert.match(await page.textContent("#response"), /"code": "00000000"/);
  await page.screenshot({ path: join(artifacts, "admin-funds-flow.png"), fullPage: true });
});
