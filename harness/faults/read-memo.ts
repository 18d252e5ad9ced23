// Recoveries remembered by what they read. A simulated board's recovery is decided by the flash it
// starts from, and only by the parts it reads before overwriting them: two forks that differ only
// where neither looks (the rest of a half-written download, a destination sector the resumed swap
// erases first) end the same way. A fork's flash is watched from its first power-on: each 64-byte
// block read (or programmed over) while it still holds the fork's starting content joins the
// read set, in order; an erase makes a block's content the recovery's own. A finished recovery is
// kept under its read set (ranges, and a SHA-256 of their starting bytes). A later fork whose
// starting flash has the same bytes there recovers the same way, so it takes the result instead.
// Lookup: the firmware is deterministic, so forks that agree on the first ranges read next the
// same ones; a small trie over the first ranges' bytes narrows to a few candidates, then a digest
// of the fork's bytes over a candidate's whole read set decides.
import { createHash } from 'node:crypto';

const BLOCK = 64;
const DEPTH = 6;
/** Ranges keyed by their bytes (exact) up to this size, by digest beyond. */
const EXACT = 4096;

export class ReadSet {
  private readonly touched: Uint8Array;
  /** [start, end) byte ranges in the order first read. */
  readonly ranges: number[] = [];
  private values: Uint8Array = new Uint8Array(64 * 1024);
  private used = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.touched = new Uint8Array(Math.ceil(bytes.length / BLOCK));
  }

  read(addr: number, len: number): void {
    if (len <= 0) return;
    const last = Math.floor((addr + len - 1) / BLOCK);
    for (let b = Math.floor(addr / BLOCK); b <= last; b++) {
      if (this.touched[b]) continue;
      let e = b;
      while (e + 1 <= last && !this.touched[e + 1]) e++;
      this.touched.fill(1, b, e + 1);
      this.add(b * BLOCK, Math.min((e + 1) * BLOCK, this.bytes.length));
      b = e;
    }
  }

  erase(addr: number, len: number): void {
    this.touched.fill(1, Math.floor(addr / BLOCK), Math.ceil((addr + len) / BLOCK));
  }

  /** Everything not yet read now counts as read (a decision that looked at the whole flash). */
  readAll(): void {
    this.read(0, this.bytes.length);
  }

  /** The starting bytes of the read set, in order. */
  startValues(): Uint8Array {
    return this.values.subarray(0, this.used);
  }

  private add(start: number, end: number): void {
    const n = this.ranges.length;
    if (n && this.ranges[n - 1] === start) this.ranges[n - 1] = end;
    else this.ranges.push(start, end);
    const need = this.used + (end - start);
    if (need > this.values.length) {
      const grown = new Uint8Array(Math.max(need, this.values.length * 2));
      grown.set(this.values.subarray(0, this.used));
      this.values = grown;
    }
    this.values.set(this.bytes.subarray(start, end), this.used);
    this.used = need;
  }
}

interface Entry<T> {
  ranges: Int32Array;
  digest: string;
  result: T;
}

interface Node<T> {
  /** The range every fork that reached this node reads next. */
  next: [number, number] | null;
  children: Map<string, Node<T>>;
  entries: Entry<T>[];
}

const newNode = <T>(): Node<T> => ({ next: null, children: new Map(), entries: [] });

function keyOf(bytes: Uint8Array): string {
  return bytes.length <= EXACT ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1') : createHash('sha256').update(bytes).digest('base64');
}

function gather(bytes: Uint8Array, ranges: ArrayLike<number>): Uint8Array {
  let n = 0;
  for (let i = 0; i < ranges.length; i += 2) n += ranges[i + 1]! - ranges[i]!;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    out.set(bytes.subarray(ranges[i], ranges[i + 1]), o);
    o += ranges[i + 1]! - ranges[i]!;
  }
  return out;
}

const digestOf = (b: Uint8Array) => createHash('sha256').update(b).digest('base64');

export class ReadMemo<T> {
  private readonly root: Node<T> = newNode();
  hits = 0;
  misses = 0;

  /** The result of an earlier recovery that read the same bytes as a fork starting from `bytes` would. */
  get(bytes: Uint8Array): T | undefined {
    const candidates: Entry<T>[] = [];
    let node: Node<T> | undefined = this.root;
    while (node) {
      candidates.push(...node.entries);
      if (!node.next) break;
      node = node.children.get(keyOf(bytes.subarray(node.next[0], node.next[1])));
    }
    const digests = new Map<string, string>();
    for (let i = candidates.length - 1, tried = 0; i >= 0 && tried < 8; i--, tried++) {
      const c = candidates[i]!;
      const shape = c.ranges.join(',');
      let d = digests.get(shape);
      if (d === undefined) {
        d = digestOf(gather(bytes, c.ranges));
        digests.set(shape, d);
      }
      if (d === c.digest) {
        this.hits++;
        return c.result;
      }
    }
    this.misses++;
    return undefined;
  }

  /** Keep a finished recovery under what it read. */
  add(set: ReadSet, result: T): void {
    const ranges = Int32Array.from(set.ranges);
    const values = set.startValues();
    let node = this.root;
    let off = 0;
    for (let level = 0; level < DEPTH && 2 * level < ranges.length; level++) {
      const start = ranges[2 * level]!;
      const end = ranges[2 * level + 1]!;
      if (!node.next) node.next = [start, end];
      else if (node.next[0] !== start || node.next[1] !== end) break; // only after a digest-keyed range: keep it here
      const key = keyOf(values.subarray(off, off + end - start));
      off += end - start;
      let child = node.children.get(key);
      if (!child) node.children.set(key, (child = newNode()));
      node = child;
    }
    node.entries.push({ ranges, digest: digestOf(values), result });
  }
}
