// The send journal (see README "aligate send: the journal"): what `aligate send`
// knows about each input line across runs, and the group commit that keeps the
// journal and the output files durable in order. Node only (the CLI's helper).
//
// A line's key is the SHA-1 of its bytes (as in the file: CR kept, BOM not)
// plus its occurrence among the lines with the same bytes (1, 2, …), so
// deleting, inserting or moving other lines between runs never changes it.
//
// Journal text, one record a line (the first: `aligate-send-journal 1 <api>`):
//   S <sha1> <occ> <line>   the call is about to leave (durable before it does)
//   R|F|U <sha1> <occ>      answered: in the results / failed / unknown file
//   C                       --resend-unknown: every earlier U is released
// The last record of a key wins. An S with no later mark is a call whose
// outcome the journal does not know (the process died meanwhile).
import { createHash } from "node:crypto";

export const MAGIC = "aligate-send-journal 1";
/** Key states. FAILED and CLEARED mean "send again" like no state at all. */
export const PENDING = 1;
export const OK = 2;
export const FAILED = 3;
export const UNKNOWN = 4;
export const CLEARED = 5;
const MARK = { R: OK, F: FAILED, U: UNKNOWN };
export const MARK_OF = { results: "R", failed: "F", unknown: "U" };

/**
 * Open addressing over 64-bit fingerprints → a non-zero uint32: 12 bytes a
 * slot at a load of at most 1/2, so resume state costs ~24 bytes per line known
 * (a Map of key strings costs ~5 times that).
 */
export class FpTable {
  constructor(bits = 8) {
    this.size = 0;
    this.alloc(bits);
  }
  alloc(bits) {
    this.mask = (1 << bits) - 1;
    this.keys = new Uint32Array(2 << bits);
    this.vals = new Uint32Array(1 << bits);
  }
  slot(hi, lo) {
    const { keys, vals, mask } = this;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (vals[i] !== 0 && (keys[2 * i] !== hi || keys[2 * i + 1] !== lo)) i = (i + 1) & mask;
    return i;
  }
  get(hi, lo) {
    return this.vals[this.slot(hi, lo)];
  }
  set(hi, lo, v) {
    let i = this.slot(hi, lo);
    if (this.vals[i] === 0) {
      if ((this.size + 1) * 2 > this.mask + 1) {
        const { keys, vals } = this;
        this.alloc(Math.log2(this.mask + 1) + 1);
        for (let j = 0; j < vals.length; j++) if (vals[j] !== 0) this.put(keys[2 * j], keys[2 * j + 1], vals[j]);
        i = this.slot(hi, lo);
      }
      this.size++;
      this.keys[2 * i] = hi;
      this.keys[2 * i + 1] = lo;
    }
    this.vals[i] = v;
  }
  put(hi, lo, v) {
    const i = this.slot(hi, lo);
    this.keys[2 * i] = hi;
    this.keys[2 * i + 1] = lo;
    this.vals[i] = v;
  }
  /** Every value `from` becomes `to`. */
  replace(from, to) {
    const v = this.vals;
    for (let j = 0; j < v.length; j++) if (v[j] === from) v[j] = to;
  }
}

/** The fingerprint of a key: the hash's first 64 bits, the occurrence mixed in (odd multiplier: distinct occurrences never collide). */
export function fp(sha1hex, occ) {
  return [parseInt(sha1hex.slice(0, 8), 16) >>> 0, (parseInt(sha1hex.slice(8, 16), 16) ^ Math.imul(occ, 0x9e3779b1)) >>> 0];
}

/**
 * Which hashes occur more than once, without remembering every hash: a Bloom
 * filter of fixed size (4 MiB, pages touched on demand) sees each hash; a hash
 * it may have seen already is a candidate, remembered exactly. Every real
 * duplicate is a candidate (no false negatives), so any other hash occurs once:
 * occurrence 1, no counter needed. A few false candidates only cost a counter.
 */
export class Duplicates {
  constructor() {
    this.bits = new Int32Array(1 << 20);
  }
  /** Records `digest` (20 bytes); true when it may have been seen before. */
  add(d) {
    let seen = true;
    for (let k = 0; k < 4; k++) {
      const h = d.readUInt32BE(4 + 4 * k) & ((1 << 25) - 1);
      const bit = 1 << (h & 31);
      if (!(this.bits[h >>> 5] & bit)) {
        seen = false;
        this.bits[h >>> 5] |= bit;
      }
    }
    return seen;
  }
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Reads `fh` in 64 KiB chunks and yields arrays of lines (one array per chunk:
 * fewer awaits). Each line: `n` (from 1), `len` bytes, `raw` (the bytes without
 * the LF, a copy; null when longer than `max`), `head` (its first 256 bytes),
 * `digest` (SHA-1 of every byte, when `hash`). Memory: one chunk and one line.
 */
export async function* readLines(fh, { hash = false, max = Infinity, bom = true } = {}) {
  const buf = Buffer.allocUnsafe(1 << 16);
  let parts = [];
  let len = 0;
  let kept = 0;
  let h = null;
  let n = 0;
  let first = bom;
  const finish = () => {
    const all = parts.length === 1 ? parts[0] : Buffer.concat(parts, kept);
    const line = { n: ++n, len, raw: len > max ? null : all, head: all.subarray(0, 256), digest: h ? h.digest() : null };
    parts = [];
    len = 0;
    kept = 0;
    h = null;
    return line;
  };
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, null);
    if (!bytesRead) break;
    let start = 0;
    if (first) {
      first = false;
      if (bytesRead >= 3 && buf.subarray(0, 3).equals(BOM)) start = 3;
    }
    const out = [];
    for (;;) {
      const nl = buf.indexOf(10, start);
      const end = nl < 0 || nl >= bytesRead ? bytesRead : nl;
      if (end > start) {
        const piece = buf.subarray(start, end);
        if (hash) (h ??= createHash("sha1")).update(piece);
        // Past `max` only the first 256 bytes are kept (the head).
        const room = len + piece.length <= max ? piece.length : Math.max(0, 256 - kept);
        if (room) parts.push(Buffer.from(piece.subarray(0, room)));
        kept += room;
        len += piece.length;
      }
      if (end === bytesRead) break;
      if (hash) h ??= createHash("sha1");
      out.push(finish());
      start = end + 1;
    }
    if (out.length) yield out;
  }
  if (len > 0) {
    if (hash) h ??= createHash("sha1");
    yield [finish()];
  }
}

const RECORD = /^\{"line":(\d+),"sha1":"([0-9a-f]{40})"(?:,"occurrence":(\d+))?/;

/**
 * Resume state: key → state (FpTable), the hashes that have a state (their
 * occurrences must be counted exactly), and the calls left pending (S without
 * a mark: few, one per call in flight at a crash) with their line numbers.
 */
export class State {
  constructor() {
    this.keys = new FpTable();
    this.hashes = new FpTable();
    this.pending = new Map();
    this.count = 0;
  }
  set(sha1, occ, v, line) {
    const [hi, lo] = fp(sha1, occ);
    if (this.keys.get(hi, lo) === 0) this.count++;
    this.keys.set(hi, lo, v);
    this.hashes.set(parseInt(sha1.slice(0, 8), 16) >>> 0, parseInt(sha1.slice(8, 16), 16) >>> 0, 1);
    const k = `${sha1} ${occ}`;
    if (v === PENDING) this.pending.set(k, { sha1, occ, line });
    else this.pending.delete(k);
  }
  get(sha1, occ) {
    const [hi, lo] = fp(sha1, occ);
    return this.keys.get(hi, lo);
  }

  /** Reads a journal; returns its API (null: empty file) or throws a message string. */
  async load(fh) {
    let api = null;
    for await (const lines of readLines(fh, { max: 4096, bom: false })) {
      for (const l of lines) {
        if (!l.raw) continue;
        const t = l.raw.toString("latin1");
        if (l.n === 1) {
          if (!t.startsWith(`${MAGIC} `)) throw "it is not an aligate send journal";
          api = t.slice(MAGIC.length + 1);
          continue;
        }
        // A record cut short by a crash is ignored: its write never completed, so nothing relied on it.
        const [tag, sha1, occ, line] = t.split(" ");
        if (tag === "C") this.keys.replace(UNKNOWN, CLEARED);
        if (!/^[0-9a-f]{40}$/.test(sha1 ?? "") || !/^[1-9][0-9]{0,8}$/.test(occ ?? "")) continue;
        if (tag === "S" && /^[0-9]+$/.test(line ?? "")) this.set(sha1, Number(occ), PENDING, Number(line));
        else if (MARK[tag]) this.set(sha1, Number(occ), MARK[tag]);
      }
    }
    if (this.pending.size) for (const [k, p] of this.pending) if (this.get(p.sha1, p.occ) === CLEARED) this.pending.delete(k);
    return api;
  }

  /**
   * Reads an output file's records: `only` a Map of pending keys (those found
   * get `state`), or every record (rebuilding a lost journal; records of an
   * older version without `occurrence` count their hash's occurrences in file
   * order). Returns the keys it set, for the journal.
   */
  async scan(fh, state, only) {
    const found = [];
    const occs = new Map();
    for await (const lines of readLines(fh, { max: 0 })) {
      for (const l of lines) {
        const m = RECORD.exec(l.head.toString("latin1"));
        if (!m) continue;
        const sha1 = m[2];
        let occ = m[3] === undefined ? 0 : Number(m[3]);
        if (!occ) occs.set(sha1, (occ = (occs.get(sha1) ?? 0) + 1));
        if (only && !only.has(`${sha1} ${occ}`)) continue;
        this.set(sha1, occ, state);
        found.push([sha1, occ]);
      }
    }
    return found;
  }
}

/** Errors of fsync that only say the file is not a disk file (a pipe, /dev/null): nothing to make durable. */
const NOT_SYNCABLE = new Set(["EINVAL", "ENOTSUP", "EOPNOTSUPP", "EROFS"]);

async function writeAll(fh, text) {
  const b = Buffer.from(text);
  for (let off = 0; off < b.length; ) off += (await fh.write(b, off, b.length - off, null)).bytesWritten;
}
async function sync(fh) {
  try {
    await fh.datasync();
  } catch (e) {
    if (!NOT_SYNCABLE.has(e?.code)) throw e;
  }
}

/**
 * Group commit. Records wait in memory; one cycle writes and syncs, in
 * parallel, the output files (answers) and the journal (S records of the calls
 * waiting to leave, and the marks of the answers an earlier cycle made
 * durable), then releases the calls. Answers are durable before their marks,
 * S records before their calls.
 * Records arriving during a cycle form the next group. A failed write stops
 * everything: `failure` is set and every waiting call is refused.
 */
export class Committer {
  constructor(journal, outputs, { pauseAt = 0 } = {}) {
    this.journal = journal;
    this.outputs = outputs; // { results: { fh, path }, failed: …, unknown: … }
    this.buf = { results: [], failed: [], unknown: [] };
    this.lines = { results: [], failed: [], unknown: [] };
    this.marks = [];
    this.later = [];
    this.sents = [];
    this.waiters = [];
    this.busy = null;
    this.failure = null;
    this.pauseAt = pauseAt;
    this.cycles = 0;
  }
  /** Resolves once the S records of `items` are durable (rejects after a failed write). */
  sent(items) {
    if (this.failure) return Promise.reject(this.failure);
    for (const it of items) this.sents.push(`S ${it.sha1} ${it.occ} ${it.n}\n`);
    const p = new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.kick();
    return p;
  }
  /** An answer: `text` (a JSON line) into output `kind`, its mark after it. */
  record(kind, text, item, mark = true) {
    this.buf[kind].push(text);
    this.lines[kind].push(item.n);
    if (mark) this.marks.push(`${MARK_OF[kind]} ${item.sha1} ${item.occ}\n`);
    this.kick();
  }
  /** A journal-only record (C, or marks rebuilt from the outputs). */
  note(text) {
    this.marks.push(text);
    this.kick();
  }
  kick() {
    if (!this.busy && !this.failure) this.busy = new Promise((r) => setImmediate(r)).then(() => this.cycle());
  }
  async cycle() {
    try {
      while (!this.failure && (this.marks.length || this.later.length || this.sents.length || Object.values(this.buf).some((b) => b.length))) {
        const bufs = this.buf;
        const lines = this.lines;
        // The journal gets the marks of answers whose outputs an earlier cycle made durable, and the S records.
        const journal = this.later.join("") + this.sents.join("");
        const waiters = this.waiters;
        const marks = this.marks;
        this.buf = { results: [], failed: [], unknown: [] };
        this.lines = { results: [], failed: [], unknown: [] };
        this.marks = [];
        this.later = [];
        this.sents = [];
        this.waiters = [];
        const wrote = Object.keys(bufs).filter((k) => bufs[k].length);
        try {
          // Outputs and journal in parallel: a call waits for one sync, not two.
          await Promise.all([
            ...wrote.map(async (k) => {
              try {
                await writeAll(this.outputs[k].fh, bufs[k].join(""));
                await sync(this.outputs[k].fh);
              } catch (e) {
                throw Object.assign(new Error(this.outputs[k].path), { code: e?.code, kind: k, lines: lines[k], cause: e });
              }
            }),
            journal && (async () => {
              try {
                await writeAll(this.journal.fh, journal);
                await sync(this.journal.fh);
              } catch (e) {
                throw Object.assign(new Error(this.journal.path), { code: e?.code, kind: "journal", lines: [], cause: e });
              }
            })(),
          ]);
        } catch (e) {
          this.failure = e;
          for (const w of [...waiters, ...this.waiters]) w.reject(e);
          this.waiters = [];
          throw e;
        }
        this.later.push(...marks);
        // Test hook (the crash test): stop where answers are durable and their marks are not written yet.
        if (this.pauseAt && wrote.length && ++this.cycles === this.pauseAt) {
          process.stderr.write("aligate-test: flush paused\n");
          await new Promise(() => {});
        }
        for (const w of waiters) w.resolve();
      }
    } catch {
      // `failure` holds it.
    } finally {
      this.busy = null;
    }
  }
  /** Waits until everything recorded so far is durable (or a write failed). */
  async drain() {
    while (this.busy) await this.busy;
  }
  /**
   * At a forced exit: answers still in memory are written (outputs, then
   * their marks) synchronously; S records not yet written are dropped (those
   * calls never left).
   */
  flushSync(writeSync, fsyncSync) {
    try {
      for (const k of Object.keys(this.buf)) {
        if (!this.buf[k].length) continue;
        writeSync(this.outputs[k].fh.fd, this.buf[k].join(""));
        try {
          fsyncSync(this.outputs[k].fh.fd);
        } catch {
          // A pipe or device: nothing to sync.
        }
      }
      const marks = this.later.join("") + this.marks.join("");
      if (marks) writeSync(this.journal.fh.fd, marks);
      fsyncSync(this.journal.fh.fd);
    } catch {
      // Exiting anyway; what was not written is pending in the journal (a rerun treats it as unknown).
    }
  }
}
