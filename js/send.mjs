// `aligate send`: one call per JSONL line, streamed, paced, and safe to kill at
// any moment (the journal: js/journal.mjs). js/cli.mjs parses the flags and
// hands over `io`: its message helpers and a client factory.
import { open, mkdtemp, rm } from "node:fs/promises";
import { writeSync, fsyncSync, openSync, closeSync, readFileSync, unlinkSync } from "node:fs";
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { MAGIC, OK, FAILED, UNKNOWN, CLEARED, PENDING, State, FpTable, Duplicates, Committer, readLines } from "./journal.mjs";

const MAX_LINE = 8 * 1024 * 1024 + 1024;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** Consecutive throttled answers with no success between them before the run stops (the ban outlasts the backoff). */
const MAX_THROTTLES = 8;
const PAUSE_MIN = 1000;
const PAUSE_MAX = 60_000;

/** A gateway throttle, by fields: TOP code 7 (a ban), Aliyun Throttling*, HTTP 429. Proven not applied. */
export function throttled(e) {
  if (e?.outcome !== "not-applied") return false;
  const code = typeof e.code === "string" ? e.code : "";
  return e.status === 429 || (e.kind === "api" && (code === "7" || code.startsWith("Throttling")));
}

/**
 * Admission for calls: at most `limit` at once (the run's concurrency, cut to
 * 1 by a throttle and doubled back after each `limit` successes), none during
 * a pause, and with `rate`, starts spaced 1/rate s apart. Shared by every
 * worker, so a ban pauses the whole run once.
 */
export class Pacer {
  constructor(max, rate, sleep) {
    Object.assign(this, { max, limit: max, rate, sleep, gen: 1, active: 0, waiters: [], until: 0, pause: 0, streak: 0, throttles: 0, nextAt: 0, stopped: false });
  }
  /** Resolves to the pause generation it was admitted in (see `throttled`), or false after `stop`. */
  async acquire() {
    for (;;) {
      if (this.stopped) return false;
      const now = Date.now();
      if (now < this.until) {
        await this.sleep(this.until - now);
      } else if (this.active >= this.limit) {
        await new Promise((r) => this.waiters.push(r));
      } else {
        this.active++;
        if (!this.rate) return this.gen;
        const at = Math.max(now, this.nextAt);
        this.nextAt = at + 1000 / this.rate;
        if (at > now) await this.sleep(at - now);
        if (!this.stopped) return this.gen;
        this.release();
        return false;
      }
    }
  }
  release() {
    this.active--;
    this.wake();
  }
  wake() {
    for (let n = this.limit - this.active; n > 0 && this.waiters.length; n--) this.waiters.shift()();
  }
  /**
   * A throttle answered a call admitted in generation `gen`: everyone waits `pause` (doubling per throttle in
   * a row), then the run restarts at concurrency 1. Answers to calls that left before the current pause
   * began belong to the same ban: they change nothing (returns 0).
   */
  throttled(gen) {
    if (gen !== this.gen) return 0;
    this.gen++;
    this.throttles++;
    this.pause = Math.min(PAUSE_MAX, Math.max(PAUSE_MIN, this.pause * 2));
    this.until = Math.max(this.until, Date.now() + this.pause);
    this.limit = 1;
    this.streak = 0;
    return this.pause;
  }
  succeeded() {
    this.throttles = 0;
    if (this.limit >= this.max) return;
    if (++this.streak >= this.limit) {
      this.limit = Math.min(this.max, this.limit * 2);
      this.streak = 0;
      if (this.limit === this.max) this.pause = 0;
      this.wake();
    }
  }
  stop() {
    this.stopped = true;
    for (const w of this.waiters.splice(0)) w();
  }
}

/** `path` with `.jsonl` (or nothing) replaced by `suffix`. */
const beside = (path, from, to) => (path.endsWith(from) ? path.slice(0, -from.length) + to : path + to);

/**
 * Runs `aligate send`. `io`: { note, progress(text), errorJson, UsageError,
 * errno, short, client(extraOptions) → Promise<client>, listLines }.
 * Returns the exit code.
 */
export async function runSend(api, opts, io) {
  const { note, errorJson, UsageError, errno, short, listLines } = io;
  const concurrency = opts.concurrency ?? 4;
  const retries = opts.retries ?? 2;
  const stemOf = opts.jsonl === "-" ? "stdin" : basename(opts.jsonl).replace(/\.jsonl?$/, "");
  const paths = {
    results: resolve(opts.results ?? `${stemOf}.results.jsonl`),
    failed: resolve(opts.failed ?? `${stemOf}.failed.jsonl`),
    unknown: resolve(opts.unknown ?? `${stemOf}.unknown.jsonl`),
  };
  const cleanup = [];
  const handles = {};
  let exitCode;
  try {
    // ── the input: a file, or stdin spooled to a temporary file (read twice: see Duplicates).
    let inputPath = opts.jsonl;
    if (inputPath === "-") {
      const tmp = await mkdtemp(join(tmpdir(), "aligate-send-"));
      cleanup.push(() => rm(tmp, { recursive: true, force: true }));
      inputPath = join(tmp, "stdin.jsonl");
      try {
        await pipeline(process.stdin, createWriteStream(inputPath));
      } catch (e) {
        throw new UsageError(`cannot read standard input: ${errno(e)}`);
      }
    }
    const input = await openInput(inputPath, opts.jsonl, io);
    handles.input = input;

    const { state, committer } = await openRun(api, opts, paths, stemOf, handles, cleanup, io);

    // ── first pass: counts, and which hashes repeat (each occurrence is then numbered exactly).
    const { track, todo, known, leftUnknown } = await firstPass(input, state);
    await input.close();
    handles.input = await openInput(inputPath, opts.jsonl, io);

    // ── the clients: one that sends (retries are the run's: see `settle`), one that only asks whether a call is repeat-safe.
    const client = await io.client({ retries: 0 });
    const prober = await io.client({ retries: 0, fetch: refuseToSend });
    /** The model's rule, asked of the core: a call that failed ambiguously is `retryable` exactly when it is repeat-safe. */
    const repeatSafe = async (text) => {
      try {
        await prober.execute(api, text);
        return false;
      } catch (e) {
        return e?.outcome === "unknown" && e.retryable === true;
      }
    };
    const { dispatch, unitSize } = dispatcher(client, api, opts.batch ?? 1);

    // ── the run
    const tty = process.stderr.isTTY === true;
    const counts = { ok: 0, failed: 0, unknown: 0 };
    const newUnknown = [];
    const unrecorded = [];
    const sleepers = new Set();
    const sleep = (ms) => new Promise((r) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        r();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
    const pacer = new Pacer(concurrency, opts.rate, sleep);
    let stopping = null;
    const stop = (why) => {
      stopping ??= why;
      pacer.stop();
      for (const wake of [...sleepers]) wake();
    };
    const inFlight = new Set();
    let signals = 0;
    const onSignal = (sig) => {
      if (++signals > 1) {
        committer.flushSync(writeSync, fsyncSync);
        note(`${sig} again: stopped now; line(s) ${listLines([...inFlight].sort((a, b) => a - b))} were in flight: the journal has them as sent, so a rerun resends only the repeat-safe ones and lists the others in ${paths.unknown}`);
        process.exit(130);
      }
      stop("signal");
      note(`${sig}: no new calls are started; ${inFlight.size ? `waiting for the ${inFlight.size} in flight (send ${sig} again to stop now)` : "none in flight"}`);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    cleanup.push(() => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    });

    const started = Date.now();
    let lastPrint = 0;
    const report = (force) => {
      const now = Date.now();
      if (!force && now - lastPrint < (tty ? 200 : 1000)) return;
      lastPrint = now;
      const done = counts.ok + counts.failed + counts.unknown;
      const secs = (now - started) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      const eta = rate > 0 ? Math.max(0, Math.round((todo - done) / rate)) : null;
      const text = `${done}/${todo} ${rate.toFixed(0)}/s${eta === null ? "" : ` ETA ${eta}s`} ok ${counts.ok} failed ${counts.failed} unknown ${counts.unknown}`;
      io.progress(tty ? `\r${text}\x1b[K` : `progress: ${text}\n`);
    };
    const line = (it, fields) => `${JSON.stringify({ line: it.n, sha1: it.sha1, occurrence: it.occ, ...fields })}\n`;
    /** `error`: the JSON fields of the error. */
    let transient = 0;
    const fail = (it, error) => {
      committer.record("failed", line(it, { error, params: it.text ?? it.shown }), it);
      counts.failed++;
      if (error?.retryable === true) transient++;
    };
    const unknown = (it, reason, error) => {
      committer.record("unknown", line(it, { reason, ...(error ? { error: errorJson(error) } : {}), params: it.text ?? "" }), it);
      counts.unknown++;
      newUnknown.push(it.n);
    };
    /** A final failure: not applied, or repeat-safe (sent again by a rerun) → failed; may have been applied → unknown. */
    const settle = async (it, e) => {
      if (e?.outcome === "unknown" && e.retryable !== true && !(await repeatSafe(it.text))) {
        unknown(it, "the call failed in a way that may hide an applied write (timeout, lost connection, unreadable answer) and it is not repeat-safe", e);
      } else {
        fail(it, { ...errorJson(e), attempts: it.tries });
      }
    };

    /** Sends a unit until every line of it is answered or given up. */
    async function run(items) {
      let todoItems = items;
      while (todoItems.length) {
        const gen = stopping ? false : await pacer.acquire();
        if (gen === false) {
          // Never sent again after a stop: the last answer (not applied, or repeat-safe) is final; unsent ones stay unsent.
          for (const it of todoItems) if (it.last) await settle(it, it.last);
          return;
        }
        let outcomes;
        try {
          try {
            await committer.sent(todoItems);
          } catch {
            stop("fatal");
            return;
          }
          for (const it of todoItems) inFlight.add(it.n);
          outcomes = await dispatch(todoItems);
        } finally {
          pacer.release();
        }
        const again = [];
        let ban = false;
        for (let i = 0; i < todoItems.length; i++) {
          const it = todoItems[i];
          const o = outcomes[i];
          inFlight.delete(it.n);
          it.tries++;
          if (o.ok) {
            let text;
            try {
              text = line(it, { result: o.result });
            } catch (e) {
              unrecorded.push(it.n);
              fatal ??= `cannot record the result of line ${it.n}: ${short(String(e?.message ?? e))}`;
              stop("fatal");
              continue;
            }
            committer.record("results", text, it);
            counts.ok++;
            pacer.succeeded();
          } else if (throttled(o.error)) {
            it.last = o.error;
            ban = true;
            again.push(it);
          } else if (o.error?.retryable === true && it.tries <= retries) {
            it.last = o.error;
            again.push(it);
          } else {
            await settle(it, o.error);
          }
        }
        report(false);
        if (ban) {
          if (gen === pacer.gen && pacer.throttles + 1 > MAX_THROTTLES) {
            if (stopping !== "throttled") note(`the gateway refused ${MAX_THROTTLES} times in a row (throttled or banned); stopped: rerun later to resume`);
            stop("throttled");
          } else {
            const ms = pacer.throttled(gen);
            if (ms && pacer.throttles === 1) note(`throttled by the gateway (${o0(again)}): all calls pause ${ms / 1000} s, then resume at concurrency 1 and ramp back up`);
          }
        } else if (again.length) {
          // Another attempt after a short backoff with jitter; the lines keep their place in the run.
          const t = Math.min(...again.map((x) => x.tries));
          await sleep(Math.min(5000, 200 * 2 ** (t - 1)) * (0.5 + Math.random() / 2));
        }
        todoItems = again;
      }
    }
    const o0 = (items) => {
      const e = items[0]?.last;
      return e ? `${e.kind}${e.code ? ` ${e.code}` : ""}${e.status && e.status !== 200 ? ` HTTP ${e.status}` : ""}` : "";
    };

    let fatal = null;
    note(`sending ${todo} ${api} calls (${known} already done in ${paths.results}${leftUnknown && !opts["resend-unknown"] ? `, ${leftUnknown} of unknown outcome left in ${paths.unknown}` : ""}), concurrency ${concurrency}${opts.rate ? `, rate ${opts.rate}/s` : ""}`);

    // ── second pass: stream the lines into units, at most `concurrency` units alive.
    const live = new Set();
    let room = null;
    const launch = (unit) => {
      const p = run(unit).catch((e) => {
        fatal ??= `internal error: ${short(String(e?.message ?? e))}`;
        stop("fatal");
      }).finally(() => {
        live.delete(p);
        room?.();
      });
      live.add(p);
    };
    let unit = [];
    const occs = new FpTable();
    const badLines = [];
    const resentSafe = [];
    outer: for await (const lines of readLines(handles.input, { hash: true, max: MAX_LINE })) {
      for (const l of lines) {
        if (stopping) break outer;
        if (blank(l)) continue;
        const d = l.digest;
        const hi = d.readUInt32BE(0);
        const lo = d.readUInt32BE(4);
        let occ = 1;
        if (track.get(hi, lo) !== 0 || (state.count && state.hashes.get(hi, lo) !== 0)) {
          occ = occs.get(hi, lo) + 1;
          occs.set(hi, lo, occ);
        }
        const sha1 = d.toString("hex");
        const s = state.count ? state.get(sha1, occ) : 0;
        if (s === OK || s === UNKNOWN) continue;
        const it = { n: l.n, sha1, occ, text: null, tries: 0, last: null };
        const problem = lineProblem(l, short);
        if (problem) {
          if (s === PENDING) state.pending.delete(`${sha1} ${occ}`);
          it.shown = l.raw ? l.raw.toString("utf8") : `${l.head.toString("utf8")}…`;
          badLines.push(`line ${l.n} ${problem}`);
          const error = { message: `line ${l.n}: ${problem}`, kind: "validation", retryable: false, outcome: "not-applied", attempts: 0, issues: [{ path: "", message: problem }] };
          fail(it, error);
          continue;
        }
        it.text = l.text;
        if (s === PENDING) {
          // Sent by a run that died before the answer: again only when repeat-safe.
          state.pending.delete(`${sha1} ${occ}`);
          if (!(await repeatSafe(it.text))) {
            unknown(it, "sent by an earlier run that stopped before the answer arrived, and not repeat-safe");
            continue;
          }
          resentSafe.push(l.n);
        }
        unit.push(it);
        if (unit.length < unitSize) continue;
        while (live.size >= concurrency && !stopping) await new Promise((r) => (room = r));
        if (stopping) break outer;
        launch(unit);
        unit = [];
      }
    }
    if (unit.length && !stopping) launch(unit);
    if (badLines.length) note(`input: ${badLines.length} line(s) not sent, see ${paths.failed}: ${badLines.slice(0, 5).join("; ")}${badLines.length > 5 ? "; …" : ""}`);
    // Wait for the calls in flight: each is bounded by its timeout; after a stop, no new attempt starts.
    while (live.size) await Promise.race(live);
    // Calls the journal has as sent whose lines are no longer in the input: unknown, with what is known.
    if (!stopping) {
      for (const p of state.pending.values()) {
        unknown({ n: p.line, sha1: p.sha1, occ: p.occ, text: null }, "sent by an earlier run that stopped before the answer arrived; the line is no longer in the input");
      }
    }
    await committer.drain();
    report(true);
    if (tty) io.progress("\n");
    const notSent = Math.max(0, todo - counts.ok - counts.failed - counts.unknown);
    note(`done: ${counts.ok} ok, ${counts.failed} failed, ${counts.unknown} unknown, ${known} skipped (already done)${notSent ? `, ${notSent} not sent` : ""} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (resentSafe.length) note(`line(s) ${listLines(resentSafe)} were in flight when an earlier run stopped; they are repeat-safe, so they were sent again`);
    note(`results: ${paths.results}`);
    if (counts.failed) {
      // A rerun sends every failed line again; only the transient failures (retryable) can pass that way.
      const fix = counts.failed - transient;
      const advice = !fix ? "rerun the same command to retry them"
        : `${fix} of them failed for a reason a rerun does not change (validation, business or refused: see each "error"): fix or remove those lines before a rerun${transient ? `; the other ${transient} may pass on a rerun` : ""}`;
      note(`failed:  ${paths.failed} (${advice}; earlier runs' failures are kept in ${beside(paths.failed, ".jsonl", ".earlier.jsonl")})`);
    }
    if (newUnknown.length) {
      newUnknown.sort((a, b) => a - b);
      note(`outcome unknown: line(s) ${listLines(newUnknown)} may have been applied by the gateway (a timeout, a lost connection or an unreadable answer, or in flight when a run stopped) and are not repeat-safe; they are in ${paths.unknown} and are not sent again. ` +
        "Check each on the gateway (the order's status, or its requestId when there is one); then rerun with --resend-unknown to send the unknown lines still in the input (remove the applied ones from the input first), or leave them");
    } else if (leftUnknown && !opts["resend-unknown"]) {
      note(`${leftUnknown} line(s) of unknown outcome from earlier runs are in ${paths.unknown}, not sent again: check them, then rerun with --resend-unknown, or remove them from the input`);
    }
    if (committer.failure) {
      const f = committer.failure;
      const lost = f.kind === "results" && f.lines.length
        ? `; line(s) ${listLines(f.lines)} succeeded but are not in the results file: the journal has them as sent, so a rerun resends only the repeat-safe ones and lists the others as unknown`
        : "; rerun the same command to send the rest";
      note(`error: cannot write ${f.message}: ${errno(f.cause ?? f)}; stopped (check the file and the disk)${lost}`);
      return (exitCode = 1);
    }
    if (fatal) {
      note(`error: ${fatal}; stopped${unrecorded.length ? `; line(s) ${listLines(unrecorded)} succeeded but are not in the results file` : ""}`);
      return (exitCode = 1);
    }
    if (stopping === "signal") {
      note(`interrupted: rerun the same command to send the rest (answered lines are skipped)`);
      return (exitCode = 130);
    }
    if (stopping === "throttled") return (exitCode = 1);
    return (exitCode = counts.failed || counts.unknown || (leftUnknown && !opts["resend-unknown"]) ? 1 : 0);
  } finally {
    for (const k of ["input", "results", "failed", "unknown", "journal"]) {
      const h = handles[k];
      await (h?.fh ?? h)?.close?.().catch(() => {});
    }
    for (const f of cleanup.reverse()) {
      try {
        await f();
      } catch {
        // Best effort: a lock left behind is taken over by the next run (its process is gone).
      }
    }
    void exitCode;
  }
}

/**
 * Opens the outputs (for appending: nothing is truncated) and the journal beside the results (locked), loads
 * the resume state, and moves the earlier failed (and with --resend-unknown, unknown) lines to `.earlier`.
 */
async function openRun(api, opts, paths, stemOf, handles, cleanup, io) {
  const { UsageError, errno, short } = io;
  // ── outputs (opened for appending: nothing is truncated) and the journal beside the results.
  for (const k of ["results", "failed", "unknown"]) handles[k] = { fh: await openOutput(k, paths[k], opts[k] !== undefined, io), path: paths[k] };
  const stats = {};
  for (const k of ["results", "failed", "unknown"]) stats[k] = await handles[k].fh.stat();
  const inStat = await handles.input.stat();
  const same = (a, b) => a.isFile() && b?.isFile() && a.dev === b.dev && a.ino === b.ino;
  if (same(stats.results, stats.failed) || same(stats.results, stats.unknown) || same(stats.failed, stats.unknown)) {
    throw new UsageError(`--results, --failed and --unknown name the same file; give three files`);
  }
  for (const k of ["results", "failed", "unknown"]) {
    if (same(stats[k], inStat)) throw new UsageError(`the ${k} file is the input ${opts.jsonl}; give other files`);
  }
  // Beside a regular results file; for a device or pipe, beside the input's name in the current directory.
  const journalPath = stats.results.isFile() ? beside(paths.results, ".results.jsonl", ".journal") : resolve(`${stemOf}.journal`);
  const lockPath = `${journalPath}.lock`;
  takeLock(lockPath, journalPath, UsageError, errno);
  cleanup.push(() => unlinkSync(lockPath));
  let jfh;
  try {
    jfh = await open(journalPath, "a+");
  } catch (e) {
    throw new UsageError(`cannot write the journal ${journalPath}: ${errno(e)}; choose a writable --results location`);
  }
  handles.journal = { fh: jfh, path: journalPath };

  // ── resume state: the journal, and the outputs for calls it left pending (or all of them when it is new).
  const state = new State();
  let journalApi;
  try {
    journalApi = await state.load(jfh);
  } catch (e) {
    if (typeof e !== "string") throw e;
    throw new UsageError(`${journalPath}: ${e}; give another --results location`);
  }
  if (journalApi !== null && journalApi !== api) {
    throw new UsageError(`the journal ${journalPath} belongs to a send of ${short(journalApi)}, not ${api}; give another --results file`);
  }
  const committer = new Committer(handles.journal, handles, { pauseAt: Number(process.env.ALIGATE_SEND_TEST_PAUSE_FLUSH) || 0 });
  if (journalApi === null) {
    await writeJournal(jfh, `${MAGIC} ${api}\n`);
    // A journal lost or never written (an earlier version): the outputs say what is done.
    for (const [k, mark, v] of [["results", "R", OK], ["unknown", "U", UNKNOWN]]) {
      if (!stats[k].isFile()) continue;
      for (const [sha1, occ] of await scanFile(state, paths[k], v)) committer.note(`${mark} ${sha1} ${occ}\n`);
    }
  } else if (state.pending.size) {
    for (const [k, mark, v] of [["results", "R", OK], ["failed", "F", FAILED], ["unknown", "U", UNKNOWN]]) {
      if (!stats[k].isFile() || !state.pending.size) continue;
      for (const [sha1, occ] of await scanFile(state, paths[k], v, state.pending)) committer.note(`${mark} ${sha1} ${occ}\n`);
    }
  }
  // The failed lines of earlier runs are sent again now: their file moves to `.earlier` (appended, kept), so
  // each line is in one current file. With --resend-unknown the unknown file does the same.
  await archive(handles.failed, stats.failed, beside(paths.failed, ".jsonl", ".earlier.jsonl"), io);
  if (opts["resend-unknown"]) {
    await archive(handles.unknown, stats.unknown, beside(paths.unknown, ".jsonl", ".earlier.jsonl"), io);
    state.keys.replace(UNKNOWN, CLEARED);
    committer.note("C\n");
  }
  await committer.drain();
  if (committer.failure) throw new UsageError(`cannot write ${committer.failure.message}: ${errno(committer.failure)}`, 1);
  return { state, committer };
}

/** Reads the input once: how many lines are to do, known, unknown; and which hashes repeat (`track`: 1). */
async function firstPass(input, state) {
  const dups = new Duplicates();
  const track = new FpTable();
  const trackState = (d) => state.hashes.get(d.readUInt32BE(0), d.readUInt32BE(4)) !== 0;
  let todo = 0;
  let known = 0;
  let leftUnknown = 0;
  for await (const lines of readLines(input, { hash: true, max: 0 })) {
    for (const l of lines) {
      if (blank(l)) continue;
      const d = l.digest;
      const hi = d.readUInt32BE(0);
      const lo = d.readUInt32BE(4);
      if (state.count && trackState(d)) {
        // A hash with resume state: its occurrences counted exactly from the start, to look each up.
        const occ = track.get(hi, lo) + 1;
        track.set(hi, lo, occ);
        const s = state.get(d.toString("hex"), occ);
        if (s === OK) known++;
        else if (s === UNKNOWN) leftUnknown++;
        else todo++;
      } else {
        todo++;
      }
      if (dups.add(d) && track.get(hi, lo) === 0) track.set(hi, lo, 1);
    }
  }
  for (let j = 0; j < track.vals.length; j++) if (track.vals[j]) track.vals[j] = 1;
  return { track, todo, known, leftUnknown };
}

/**
 * How a unit of lines leaves: `dispatch(items)` → `[{ ok: true, result } | { ok: false, error }]` in order.
 * Everything around it (S records per line before the unit leaves, marks, retries, throttles, settle) works
 * per line, so the seam for `--batch N` is here: `size` N and `client.batch(items.map((it) => ({ api, params:
 * it.text })))`, which answers in that shape (a whole-batch throttle is then a throttle on each line).
 */
export function dispatcher(client, api, size) {
  const one = (it) => client.execute(api, it.text).then((result) => ({ ok: true, result }), (error) => ({ ok: false, error }));
  const each = (items) => Promise.all(items.map(one));
  if (size <= 1) return { unitSize: 1, dispatch: each };
  // `batch` rejects only before anything is sent (an invalid line): the unit then goes line by line, so the
  // invalid line fails alone and the others are still sent.
  const batch = (items) => client.batch(items.map((it) => ({ api, params: it.text })), { batchSize: size })
    .catch((e) => (e?.kind === "validation" ? each(items) : items.map(() => ({ ok: false, error: e }))));
  return { unitSize: size, dispatch: (items) => (items.length > 1 ? batch(items) : each(items)) };
}

/** A fetch that sends nothing: the prober's attempts fail as a lost connection would (ambiguous). */
function refuseToSend() {
  return Promise.reject(Object.assign(new Error("not sent (repeat-safety probe)"), { code: "ECONNRESET" }));
}

/** Blank lines are skipped (and are no line of the run); judged on the first 256 bytes, the same in both passes. */
const blank = (l) => l.len <= 256 && !l.head.toString("latin1").trim();

/** Why a line is not sent (null: it is sent); sets `l.text`. */
function lineProblem(l, short) {
  if (!l.raw) return `longer than ${MAX_LINE >> 20} MiB`;
  const raw = l.raw[l.raw.length - 1] === 13 ? l.raw.subarray(0, -1) : l.raw;
  try {
    l.text = utf8.decode(raw);
  } catch {
    return "not valid UTF-8";
  }
  try {
    JSON.parse(l.text);
    return null;
  } catch (e) {
    const at = /position (\d+)/.exec(e.message);
    if (!at) return `not valid JSON (${short(e.message)})`;
    return `not valid JSON at column ${Number(at[1]) + 1}`;
  }
}

async function openInput(path, given, { UsageError, errno }) {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw new UsageError(`cannot read ${given}: ${errno(e)}; check the --jsonl path`);
  }
  if ((await fh.stat()).isDirectory()) {
    await fh.close();
    throw new UsageError(`cannot read ${given}: it is a directory; give a file to --jsonl`);
  }
  return fh;
}

async function openOutput(flag, path, given, { UsageError, errno }) {
  try {
    return await open(path, "a");
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${errno(e)}; ${given ? `check the --${flag} path` : `choose a writable file with --${flag}`}`);
  }
}

/** `state.scan` over an output, through a read handle of its own (the append handles cannot read). */
async function scanFile(state, path, v, only) {
  const fh = await open(path, "r");
  try {
    return await state.scan(fh, v, only);
  } finally {
    await fh.close();
  }
}

async function writeJournal(fh, text) {
  await fh.write(text);
  await fh.datasync();
}

/** Appends an output's content to `to` (synced) and empties it: kept, and out of the current files. */
async function archive(h, stat, to, { UsageError, errno }) {
  if (!stat.isFile() || stat.size === 0) return;
  let src;
  let dst;
  try {
    src = await open(h.path, "r");
    dst = await open(to, "a");
    for await (const chunk of src.createReadStream({ autoClose: false })) await dst.write(chunk);
    await dst.datasync();
    await h.fh.truncate(0);
    await h.fh.datasync();
  } catch (e) {
    throw new UsageError(`cannot move the earlier lines of ${h.path} to ${to}: ${errno(e)}`, 1);
  } finally {
    await src?.close().catch(() => {});
    await dst?.close().catch(() => {});
  }
}

/** One run per journal: a lock file with the owner's pid; a lock whose process is gone is taken over. */
function takeLock(lockPath, journalPath, UsageError, errno) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (e) {
      if (e?.code !== "EEXIST") throw new UsageError(`cannot write the journal ${journalPath}: ${errno(e)}; choose a writable --results location`);
    }
    let pid = NaN;
    try {
      pid = Number(readFileSync(lockPath, "latin1").trim());
    } catch {
      // Removed meanwhile: try again.
    }
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        throw new UsageError(`another aligate send (pid ${pid}) is using ${journalPath}; wait for it, or stop it`);
      } catch (e) {
        if (e instanceof UsageError) throw e;
        if (e?.code === "EPERM") throw new UsageError(`another process (pid ${pid}) holds ${lockPath}`);
      }
    }
    try {
      unlinkSync(lockPath);
    } catch {
      // Gone already.
    }
  }
  throw new UsageError(`cannot take the lock ${lockPath}; remove it if no aligate send is running`);
}

