// How far a recorded recovery holds along the journal. A sweep's forks start from the recorded
// flash after n operations (state n), or from state n with operation n torn. A recovery that read
// the byte ranges R of state n holds, unchanged, for every state from the last operation at or
// before n that changed a byte in R to the next one after it: found from the ranges each operation
// changed (worked out once, from the journal), with no byte of flash compared or hashed per fork.
// A torn program has written a prefix of its bytes: on R it equals state n when that prefix
// changed nothing in R, state n + 1 when the rest would change nothing in R. A torn erase may
// raise any bit of its range, so it equals state n only where its range misses R. (Equal bytes
// reached another way, e.g. content a revert restored, are left to read-memo.ts's digest lookup.)
import { tornProgramLength } from '../sim/flash.ts';

/** The span of states [lo, hi] around a recovery's starting state: it holds at any state inside. */
export interface Span {
  lo: number;
  hi: number;
}

/** A journal entry: an erase (to 0xff) or a program leaving `data` over [addr, addr + len). */
export interface JournalOp {
  kind: 'erase' | 'program';
  addr: number;
  len: number;
  data: Uint8Array | null;
}

/** Where a fork starts: state `state`, or state `state` with operation `state` torn `fraction` of the way. */
export interface JournalPoint {
  state: number;
  torn: boolean;
  fraction?: number;
}

export class JournalSpans {
  /** Operation i (0-based; it turns state i into state i + 1): the [start, end) it changed (empty: none). */
  private readonly changed: Int32Array;

  /** `base`: the flash before the first operation (not changed). */
  constructor(
    base: Uint8Array,
    private readonly ops: readonly JournalOp[],
  ) {
    this.changed = new Int32Array(ops.length * 2);
    const image = base.slice();
    ops.forEach((o, i) => {
      const after = (k: number) => (o.data ? o.data[k]! : 0xff);
      let a = 0;
      let b = o.len;
      while (a < b && image[o.addr + a] === after(a)) a++;
      while (b > a && image[o.addr + b - 1] === after(b - 1)) b--;
      this.changed[2 * i] = o.addr + a;
      this.changed[2 * i + 1] = o.addr + b;
      if (o.data) image.set(o.data, o.addr);
      else image.fill(0xff, o.addr, o.addr + o.len);
    });
  }

  /** The states around `state` whose bytes in `r` (merged()) equal its own. */
  span(r: Int32Array, state: number): Span {
    let lo = state;
    while (lo > 0 && !meets(this.changed[2 * lo - 2]!, this.changed[2 * lo - 1]!, r)) lo--;
    let hi = state;
    while (hi < this.ops.length && !meets(this.changed[2 * hi]!, this.changed[2 * hi + 1]!, r)) hi++;
    return { lo, hi };
  }

  /** The state whose bytes in `r` (merged()) a fork starting at `at` has, or -1 when neither around it. */
  resolve(at: JournalPoint, r: Int32Array): number {
    if (!at.torn) return at.state;
    const i = at.state;
    const op = this.ops[i]!;
    if (op.kind === 'erase') return meets(op.addr, op.addr + op.len, r) ? -1 : i;
    const start = this.changed[2 * i]!;
    const end = this.changed[2 * i + 1]!;
    const done = Math.min(Math.max(op.addr + tornProgramLength(op.len, at.fraction), start), end);
    if (!meets(start, done, r)) return i;
    if (!meets(done, end, r)) return i + 1;
    return -1;
  }
}

/** Does [a, b) meet the sorted, disjoint ranges `r` ([start, end) pairs)? */
function meets(a: number, b: number, r: Int32Array): boolean {
  if (a >= b) return false;
  // The first range ending after a: [a, b) meets it unless it starts at or after b.
  let l = 0;
  let h = r.length >> 1;
  while (l < h) {
    const m = (l + h) >> 1;
    if (r[2 * m + 1]! <= a) l = m + 1;
    else h = m;
  }
  return l < r.length >> 1 && r[2 * l]! < b;
}

/** `ranges` sorted by start, overlapping or adjacent ones joined. */
export function merged(ranges: ArrayLike<number>): Int32Array {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [s, e] of pairs) {
    const n = out.length;
    if (n && s <= out[n - 1]!) out[n - 1] = Math.max(out[n - 1]!, e);
    else out.push(s, e);
  }
  return Int32Array.from(out);
}
