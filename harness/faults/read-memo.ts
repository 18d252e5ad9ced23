// Recoveries remembered by what they read. A simulated board's recovery is decided by the flash it
// starts from, and only by the parts it reads before overwriting them: two forks that differ only
// where neither looks (the rest of a half-written download, a destination sector the resumed swap
// erases first) end the same way. A fork's flash is watched from its first power-on: each 64-byte
// block read (or programmed over) while it still holds the fork's starting content joins the
// read set; an erase makes a block's content the recovery's own. A finished recovery is kept with
// the span of the sweep's journal over which no operation changes a byte of its read set
// (journal-span.ts); a later fork starting inside that span has the same bytes there, so it
// recovers the same way and takes the result instead. Matching is by position alone, exact by
// construction: no flash is compared or hashed per fork.
import { JournalSpans, merged, type JournalOp, type JournalPoint, type Span } from './journal-span.ts';

const BLOCK = 64;

/** Block maps of released read sets: a sweep makes one per fork, each lives as long as the fork, and dropped they would wait for a full GC. */
const spare: Uint8Array[] = [];
const SPARE_MAX = 4;

export class ReadSet {
  private touched: Uint8Array;
  /** [start, end) byte ranges in the order first read. */
  readonly ranges: number[] = [];

  constructor(private readonly size: number) {
    const n = Math.ceil(size / BLOCK);
    const i = spare.findIndex((b) => b.length === n);
    this.touched = i < 0 ? new Uint8Array(n) : spare.splice(i, 1)[0]!.fill(0);
  }

  /** Done with (the fork ended): the block map serves the next read set; `ranges` stays. */
  release(): void {
    if (spare.length < SPARE_MAX && this.touched.length) spare.push(this.touched);
    this.touched = new Uint8Array(0);
  }

  read(addr: number, len: number): void {
    if (len <= 0) return;
    const last = Math.floor((addr + len - 1) / BLOCK);
    for (let b = Math.floor(addr / BLOCK); b <= last; b++) {
      if (this.touched[b]) continue;
      let e = b;
      while (e + 1 <= last && !this.touched[e + 1]) e++;
      this.touched.fill(1, b, e + 1);
      this.add(b * BLOCK, Math.min((e + 1) * BLOCK, this.size));
      b = e;
    }
  }

  erase(addr: number, len: number): void {
    this.touched.fill(1, Math.floor(addr / BLOCK), Math.ceil((addr + len) / BLOCK));
  }

  /** Everything not yet read now counts as read (a decision that looked at the whole flash). */
  readAll(): void {
    this.read(0, this.size);
  }

  private add(start: number, end: number): void {
    const n = this.ranges.length;
    if (n && this.ranges[n - 1] === start) this.ranges[n - 1] = end;
    else this.ranges.push(start, end);
  }
}

export class ReadMemo<T> {
  /** Recoveries by where they hold in the journal, newest last. */
  private readonly spans: { span: Span; read: Int32Array; result: T }[] = [];
  private readonly journal: JournalSpans;
  hits = 0;
  misses = 0;

  /** `base` and `ops`: the flash and the operations the sweep's forks start from. */
  constructor(base: Uint8Array, ops: readonly JournalOp[]) {
    this.journal = new JournalSpans(base, ops);
  }

  /** The result of an earlier recovery that read the same bytes as a fork starting at `at` would. */
  get(at: JournalPoint): T | undefined {
    for (let i = this.spans.length - 1; i >= 0; i--) {
      const { span, read, result } = this.spans[i]!;
      if (span.hi < at.state || span.lo > at.state + 1) continue; // a torn start may equal state + 1
      const state = this.journal.resolve(at, read);
      if (state >= span.lo && state <= span.hi) {
        this.hits++;
        return result;
      }
    }
    this.misses++;
    return undefined;
  }

  /** Keep a finished recovery of a fork that started at `at` under what it read. */
  add(set: ReadSet, result: T, at: JournalPoint): void {
    const read = merged(set.ranges);
    const state = this.journal.resolve(at, read);
    if (state >= 0) this.spans.push({ span: this.journal.span(read, state), read, result });
  }
}
