// `aligate send` killed (SIGKILL, SIGINT) at chosen points against a loopback
// gateway written here, which counts every order id it receives: a write that
// is not repeat-safe must never reach it twice (unless resent on purpose with
// --resend-unknown), and every input line must end in exactly one file.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = dirname(fileURLToPath(import.meta.resolve("aligate/package.json")));
const cli = join(pkgDir, "js", "cli.mjs");
const root = mkdtempSync(join(tmpdir(), "aligate-send-crash-"));
after(() => rmSync(root, { recursive: true, force: true }));
const NO_CREDS = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TOP_|ALIBABA_CLOUD_|ALIGATE_)/.test(k)));
const COMM = "alibaba.retail.commission.status.change";
const LIAN = "alibaba.alisports.lianbei.order.notice";
const CREDS = ["--app-key", "12345678", "--app-secret", "bbbbbbbbbbbbbbbb", "--session", "sessionsession"];

/**
 * A TOP-like gateway: answers each call with its API's success response after
 * `delay` ms (or holds it while `hold` is set), counts every order id it is
 * sent, and calls `onRequest(seen)` as each arrives. `ban(ms)` answers code 7
 * ("ban will last N more seconds") to every call for `ms`.
 */
async function gateway() {
  const g = { seen: new Map(), requests: 0, answered: 0, banned: 0, delay: 0, hold: false, held: [], onRequest: null, banUntil: 0, duringBan: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const q = new URLSearchParams(new URL(req.url, "http://x").search);
      const body = new URLSearchParams(Buffer.concat(chunks).toString());
      const method = q.get("method") ?? body.get("method");
      const id = method === COMM ? JSON.parse(body.get("param0")).order_id : body.get("biz_order_id");
      g.requests++;
      const now = Date.now();
      if (now < g.banUntil) {
        g.duringBan++;
        g.banned++;
        res.writeHead(200, { "content-type": "application/json;charset=UTF-8" });
        res.end(JSON.stringify({ error_response: { code: 7, msg: "App Call Limited", sub_code: "accesscontrol.limited-by-app-access-count",
          sub_msg: `This ban will last ${Math.ceil((g.banUntil - now) / 1000)} more seconds`, request_id: "r" } }));
        return;
      }
      g.seen.set(id, (g.seen.get(id) ?? 0) + 1);
      const answer = () => {
        if (res.destroyed) return;
        g.answered++;
        const inner = method === COMM
          ? { message: "成功", data: true, s_code: "200", s_success: true }
          : { result: { alisp_code: 200, alisp_data: { biz_order_id: id } } };
        res.writeHead(200, { "content-type": "application/json;charset=UTF-8" });
        res.end(JSON.stringify({ [`${method.replaceAll(".", "_")}_response`]: inner }));
      };
      g.onRequest?.(g.requests, id);
      if (g.hold) g.held.push(answer);
      else setTimeout(answer, g.delay);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  g.url = `http://127.0.0.1:${server.address().port}/router/rest`;
  g.release = () => {
    g.hold = false;
    for (const a of g.held.splice(0)) a();
  };
  g.ban = (ms) => (g.banUntil = Date.now() + ms);
  g.close = () => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  };
  return g;
}

/**
 * Runs `aligate send` in `dir`; `onStart(child)` gets the process (to kill it
 * from the gateway's counter); `until: [regex, signal]` signals it once when
 * stderr matches. Bounded: SIGKILL after 60 s.
 */
function send(dir, args, { env = {}, until, onStart, input } = {}) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, "send", ...args, ...CREDS], { cwd: dir, env: { ...NO_CREDS, ...env } });
    let stderr = "";
    let hits = 0;
    const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
    p.stderr.on("data", (d) => {
      stderr += d;
      if (until && hits < until.length && until[hits][0].test(stderr)) p.kill(until[hits++][1]);
    });
    p.stdout.resume();
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
    onStart?.(p);
    if (input !== undefined) p.stdin.end(input);
    else p.stdin.end();
  });
}

const sha1 = (s) => createHash("sha1").update(s).digest("hex");
const read = (dir, f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);

/** Each input line in exactly one of the three output files (plus `removed` records of lines deleted from the input); returns the records. */
function assertEachLineOnce(dir, stem, lines, msg, removed = 0) {
  const files = { results: read(dir, `${stem}.results.jsonl`), failed: read(dir, `${stem}.failed.jsonl`), unknown: read(dir, `${stem}.unknown.jsonl`) };
  const where = new Map();
  for (const [f, recs] of Object.entries(files)) {
    for (const r of recs) {
      const key = `${r.sha1} ${r.occurrence}`;
      assert.ok(!where.has(key), `${msg}: line ${r.line} is in ${where.get(key)} and in ${f}`);
      where.set(key, f);
    }
  }
  const occ = new Map();
  for (const t of lines) {
    const h = sha1(t);
    occ.set(h, (occ.get(h) ?? 0) + 1);
    assert.ok(where.has(`${h} ${occ.get(h)}`), `${msg}: ${t} is in no output file`);
  }
  assert.equal(where.size, lines.length + removed, `${msg}: no record of a line that is not in the input (but the ${removed} removed)`);
  return files;
}

const commission = (i) => JSON.stringify({ param0: { order_id: String(1000 + i), order_status: 2 } });
const notice = (i) => JSON.stringify({ biz_order_id: String(5000 + i) });

test("SIGKILL before the first answer, mid-run and during a group flush: no write twice, each line in one file; --resend-unknown", async () => {
  const gw = await gateway();
  const dir = mkdtempSync(join(root, "kill-"));
  const lines = Array.from({ length: 240 }, (_, i) => commission(i));
  writeFileSync(join(dir, "day.jsonl"), lines.join("\n") + "\n");
  const argv = [COMM, "--jsonl", "day.jsonl", "--endpoint", gw.url, "--concurrency", "8"];
  try {
    // 1. Before the first answer: the gateway holds every answer; killed once 8 calls have arrived.
    gw.hold = true;
    let child;
    gw.onRequest = (n) => n === 8 && child.kill("SIGKILL");
    const r1 = await send(dir, argv, { onStart: (p) => (child = p) });
    assert.equal(r1.signal, "SIGKILL", r1.stderr);
    gw.release();
    const inFlight1 = [...gw.seen.keys()];
    assert.equal(inFlight1.length, 8);

    // 2. Mid-run: answers flow (5 ms each); killed when the 100th call arrives.
    gw.delay = 5;
    gw.onRequest = (n) => n === 100 && child.kill("SIGKILL");
    const r2 = await send(dir, argv, { onStart: (p) => (child = p) });
    assert.equal(r2.signal, "SIGKILL", r2.stderr);
    assert.match(r2.stderr, /line\(s\) .* in flight|sending/);

    // 3. During a group flush: the outputs are written, the journal not yet (a hook stops there).
    gw.onRequest = null;
    const r3 = await send(dir, argv, { env: { ALIGATE_SEND_TEST_PAUSE_FLUSH: "3" }, until: [[/aligate-test: flush paused/, "SIGKILL"]] });
    assert.equal(r3.signal, "SIGKILL", r3.stderr);

    // 4. The rerun finishes: nothing was sent twice; the calls in flight at the kills are unknown, not resent.
    const r4 = await send(dir, argv);
    assert.equal(r4.code, 1, r4.stderr);
    assert.match(r4.stderr, /outcome unknown: line\(s\) .*--resend-unknown/);
    const twice = [...gw.seen].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], "no write reached the gateway twice");
    const files = assertEachLineOnce(dir, "day", lines, "after the rerun");
    // A line journalled as sent whose call had not left at the kill is unknown too (the journal cannot tell): never lost.
    const unknownSet = new Set(files.unknown.map((u) => JSON.parse(u.params).param0.order_id));
    for (let i = 0; i < 240; i++) {
      const id = String(1000 + i);
      assert.ok(gw.seen.has(id) || unknownSet.has(id), `line ${i + 1} neither reached the gateway nor is unknown`);
    }
    assert.equal(files.failed.length, 0);
    const unknownIds = files.unknown.map((u) => JSON.parse(u.params).param0.order_id).sort();
    for (const id of inFlight1) assert.ok(unknownIds.includes(id), `in flight at the first kill: ${id}`);
    assert.ok(files.unknown.every((u) => /not repeat-safe/.test(u.reason)));
    assert.equal(files.results.length + files.unknown.length, 240);

    // 5. Another plain rerun sends nothing and still says what is left.
    const before = gw.requests;
    const r5 = await send(dir, argv);
    assert.equal(r5.code, 1);
    assert.equal(gw.requests, before, "a rerun sends nothing more");
    assert.match(r5.stderr, /of unknown outcome from earlier runs .*--resend-unknown/);

    // 6. After checking: --resend-unknown sends exactly the unknown lines once more; the unknown file moves to .earlier.
    const r6 = await send(dir, [...argv, "--resend-unknown"]);
    assert.equal(r6.code, 0, r6.stderr);
    const resent = [...gw.seen].filter(([, n]) => n > 1).map(([id]) => id);
    assert.ok(resent.every((id) => unknownIds.includes(id)), "only unknown lines were sent again");
    const done = assertEachLineOnce(dir, "day", lines, "after --resend-unknown");
    assert.equal(done.results.length, 240);
    assert.equal(gw.seen.size, 240, "every line reached the gateway");
    assert.equal(read(dir, "day.unknown.earlier.jsonl").length, unknownIds.length, "the earlier unknown lines are kept");
  } finally {
    await gw.close();
  }
});

test("repeat-safe lines in flight at a SIGKILL are resent; an edited input keeps every answered line answered", async () => {
  const gw = await gateway();
  try {
    // Reads (lianbei) are repeat-safe: the rerun sends the ones in flight again.
    const dir = mkdtempSync(join(root, "safe-"));
    const lines = Array.from({ length: 40 }, (_, i) => notice(i));
    writeFileSync(join(dir, "n.jsonl"), lines.join("\n"));
    gw.hold = true;
    let child;
    gw.onRequest = (n) => n === 4 && child.kill("SIGKILL");
    await send(dir, [LIAN, "--jsonl", "n.jsonl", "--endpoint", gw.url, "--concurrency", "4"], { onStart: (p) => (child = p) });
    gw.release();
    gw.onRequest = null;
    const r = await send(dir, [LIAN, "--jsonl", "n.jsonl", "--endpoint", gw.url, "--concurrency", "4"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /repeat-safe, so they were sent again/);
    assert.equal([...gw.seen.values()].filter((n) => n === 2).length, 4);
    assert.equal(assertEachLineOnce(dir, "n", lines, "safe").unknown.length, 0);

    // Writes, killed mid-run; then lines are deleted, inserted, moved and one repeated before the rerun.
    gw.seen.clear();
    gw.requests = 0;
    const dir2 = mkdtempSync(join(root, "edit-"));
    const w = Array.from({ length: 60 }, (_, i) => commission(100 + i));
    writeFileSync(join(dir2, "w.jsonl"), w.join("\n") + "\n");
    gw.delay = 5;
    gw.onRequest = (n) => n === 30 && child.kill("SIGKILL");
    await send(dir2, [COMM, "--jsonl", "w.jsonl", "--endpoint", gw.url, "--concurrency", "4"], { onStart: (p) => (child = p) });
    gw.onRequest = null;
    const answered = read(dir2, "w.results.jsonl").map((x) => x.line);
    assert.ok(answered.length >= 10, `${answered.length} answered before the kill`);
    const edited = [commission(900), ...w.slice(0, 2), ...w.slice(3, 50).reverse(), commission(901), ...w.slice(50), w[5]];
    writeFileSync(join(dir2, "w.jsonl"), edited.join("\n") + "\n");
    const r2 = await send(dir2, [COMM, "--jsonl", "w.jsonl", "--endpoint", gw.url, "--concurrency", "4"]);
    assert.match(r2.stderr, /done: /);
    const counts = Object.fromEntries([...gw.seen]);
    // Line 3 of the original was deleted; w[5] now appears twice in the input: its second occurrence is a new line.
    for (const t of new Set(edited)) {
      const id = JSON.parse(t).param0.order_id;
      const want = edited.filter((x) => x === t).length;
      assert.ok((counts[id] ?? 0) <= want, `order ${id} sent ${counts[id]} times for ${want} line(s)`);
    }
    assert.equal(counts[JSON.parse(w[5]).param0.order_id], 2, "a repeated line is sent as the new line it is");
    assert.equal(counts["1900"], 1);
    // The deleted line (sent before the kill) keeps its record, and is the one record of no input line.
    assertEachLineOnce(dir2, "w", edited, "edited", 1);
  } finally {
    await gw.close();
  }
});

test("a ban (TOP code 7) pauses every worker once, then the run ramps back up and finishes", async () => {
  const gw = await gateway();
  try {
    const dir = mkdtempSync(join(root, "ban-"));
    const lines = Array.from({ length: 300 }, (_, i) => notice(i));
    writeFileSync(join(dir, "b.jsonl"), lines.join("\n"));
    gw.delay = 2;
    gw.onRequest = (n) => n === 50 && gw.ban(1000);
    const r = await send(dir, [LIAN, "--jsonl", "b.jsonl", "--endpoint", gw.url, "--concurrency", "16", "--retries", "0"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /throttled by the gateway \(api 7\): all calls pause 1 s/);
    assert.equal(assertEachLineOnce(dir, "b", lines, "ban").results.length, 300, "every refused call was sent again (refused = not applied)");
    // Shared pause: only the calls already in flight when the ban began met it, not each worker retrying on its own.
    assert.ok(gw.banned >= 1 && gw.banned <= 16, `${gw.banned} calls answered with the ban`);
  } finally {
    await gw.close();
  }
});

test("SIGINT: no new calls, those in flight are answered and recorded, exit 130; a second SIGINT stops at once; reruns finish", async () => {
  const gw = await gateway();
  try {
    const dir = mkdtempSync(join(root, "int-"));
    const lines = Array.from({ length: 200 }, (_, i) => commission(2000 + i));
    writeFileSync(join(dir, "i.jsonl"), lines.join("\n"));
    const argv = [COMM, "--jsonl", "i.jsonl", "--endpoint", gw.url, "--concurrency", "6"];
    gw.delay = 200;
    let child;
    gw.onRequest = (n) => n === 20 && child.kill("SIGINT");
    const r = await send(dir, argv, { onStart: (p) => (child = p) });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /SIGINT: no new calls are started/);
    assert.match(r.stderr, /interrupted: rerun the same command/);
    const seen1 = gw.requests;
    assert.ok(seen1 <= 20 + 6, `${seen1} calls: at most those in flight after the signal`);
    assert.equal(read(dir, "i.results.jsonl").length, seen1, "every call that left was answered and recorded");
    assert.equal(read(dir, "i.unknown.jsonl").length, 0);

    // Twice: the second stops at once; the calls in flight are left as sent, so the rerun lists them as unknown.
    gw.hold = true;
    gw.onRequest = (n) => n === seen1 + 6 && (child.kill("SIGINT"), setTimeout(() => child.kill("SIGINT"), 100));
    const r2 = await send(dir, argv, { onStart: (p) => (child = p) });
    assert.equal(r2.code, 130, r2.stderr);
    assert.match(r2.stderr, /SIGINT again: stopped now; line\(s\) .* were in flight/);
    gw.release();
    gw.onRequest = null;
    gw.delay = 0;
    const r3 = await send(dir, argv);
    assert.equal(r3.code, 1, r3.stderr);
    assert.deepEqual([...gw.seen].filter(([, n]) => n > 1), []);
    const files = assertEachLineOnce(dir, "i", lines, "sigint");
    assert.equal(files.unknown.length, 6);
  } finally {
    await gw.close();
  }
});

test("standard input is streamed too (spooled once), and the journal refuses another API", async () => {
  const gw = await gateway();
  try {
    const dir = mkdtempSync(join(root, "stdin-"));
    const lines = Array.from({ length: 30 }, (_, i) => notice(300 + i));
    const r = await send(dir, [LIAN, "--jsonl", "-", "--endpoint", gw.url], { input: lines.join("\n") + "\n" });
    assert.equal(r.code, 0, r.stderr);
    assertEachLineOnce(dir, "stdin", lines, "stdin");
    const again = await send(dir, [LIAN, "--jsonl", "-", "--endpoint", gw.url], { input: lines.join("\n") + "\n" });
    assert.match(again.stderr, /30 skipped/);
    const other = await send(dir, [COMM, "--jsonl", "-", "--endpoint", gw.url], { input: commission(1) });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /belongs to a send of alibaba\.alisports\.lianbei\.order\.notice/);
  } finally {
    await gw.close();
  }
});
