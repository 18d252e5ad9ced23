// Recoveries remembered by what survives a power cut. After a cut, only the flash (and what the
// harness's recovery loop has seen so far) decides the rest of a simulated board's recovery, so a
// fork that powers on with the same flash, in the same recovery state, as one that already
// finished ends the same way: e.g. every fork cut during a swap resumes it, and from the next
// power-on on they all run the same revert. Entries are matched by their whole content (a sampled
// hash picks the bucket, then a byte compare), never by a digest alone, so a hit is exact.

/** What a fork has at a power-on: its flash (a view), and programs onto unerased cells since the cut (the audit counts them). */
export interface PowerOnState {
  bytes: Uint8Array;
  dirty: number;
  /** The flash changed since the cut: only then can another fork have reached the same state. */
  changed: boolean;
  /** Called when a remembered recovery is taken for this state (which depended on all of it). */
  used?: () => void;
}

/** The rest of a recovery from a power-on. */
export interface RecoveryTail {
  outcome: string;
  detail: string;
  boots: string[];
  notes: string[];
}

interface Entry {
  bytes: Uint8Array;
  tail: RecoveryTail;
}

export class RecoveryMemo {
  private readonly buckets = new Map<string, Entry[]>();
  private bytesHeld = 0;
  hits = 0;
  misses = 0;

  /** Entries hold a copy of the flash each; beyond `maxBytes` the oldest go (a sweep's forks converge in runs). */
  constructor(private readonly maxBytes = 4 * 1024 * 1024) {}

  get(state: string, s: PowerOnState): RecoveryTail | undefined {
    const key = `${state}|${s.dirty}|${sample(s.bytes)}`;
    const bucket = this.buckets.get(key);
    const e = bucket?.find((x) => Buffer.compare(x.bytes, s.bytes) === 0);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    s.used?.();
    // Most recently used last, so eviction takes the stalest bucket.
    this.buckets.delete(key);
    this.buckets.set(key, bucket!);
    return e.tail;
  }

  /** Remember the state now (copied); `done` with the tail once the recovery ended. */
  begin(state: string, s: PowerOnState): ((tail: RecoveryTail) => void) | undefined {
    if (!s.changed) return undefined;
    const key = `${state}|${s.dirty}|${sample(s.bytes)}`;
    const bytes = s.bytes.slice();
    return (tail) => {
      const bucket = this.buckets.get(key) ?? [];
      if (bucket.some((x) => Buffer.compare(x.bytes, bytes) === 0)) return;
      bucket.push({ bytes, tail });
      this.buckets.delete(key);
      this.buckets.set(key, bucket);
      this.bytesHeld += bytes.length;
      for (const [k, b] of this.buckets) {
        if (this.bytesHeld <= this.maxBytes) break;
        this.buckets.delete(k);
        for (const x of b) this.bytesHeld -= x.bytes.length;
      }
    };
  }
}

/** A cheap hash of every 61st word: picks the bucket; the byte compare decides. */
function sample(bytes: Uint8Array): string {
  const words = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : new Uint32Array(bytes.slice().buffer, 0, bytes.length >> 2);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < words.length; i += 61) {
    const w = words[i]!;
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul(h2 + w, 0x5bd1e995) ^ (h2 >>> 13);
  }
  return `${(h1 >>> 0).toString(36)}.${(h2 >>> 0).toString(36)}.${bytes.length}`;
}
