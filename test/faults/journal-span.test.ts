// The journal spans behind the sweep's read memo claim that a fork starting anywhere in a span,
// clean or torn, has the anchor state's bytes wherever a recovery read. Checked against flash
// actually built and torn by NorFlash, on random journals and read sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JournalSpans, merged, type JournalOp } from '../../harness/faults/journal-span.ts';
import { mulberry32, NorFlash, PowerLoss } from '../../harness/sim/flash.ts';

const SIZE = 16 * 1024;
const SECTOR = 1024;

function journal(rnd: () => number, n: number): { base: Uint8Array; ops: JournalOp[]; states: Uint8Array[] } {
  const flash = new NorFlash({ size: SIZE, sectorSize: SECTOR, writeSize: 8 });
  for (let s = 0; s < SIZE; s += SECTOR) if (rnd() < 0.5) flash.program(s, Uint8Array.from({ length: SECTOR }, () => (rnd() * 256) | 0));
  const base = flash.snapshot().bytes;
  const ops: JournalOp[] = [];
  const states = [base];
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.3) {
      const addr = Math.floor(rnd() * (SIZE / SECTOR)) * SECTOR;
      flash.erase(addr, SECTOR);
      ops.push({ kind: 'erase', addr, len: SECTOR, data: null });
    } else {
      const len = 8 * (1 + Math.floor(rnd() * 16));
      const addr = 8 * Math.floor(rnd() * ((SIZE - len) / 8));
      // Often the same bytes again (a no-op for the span) or with one byte changed, often new ones.
      const pick = rnd();
      const data = pick < 0.6 ? flash.read(addr, len) : Uint8Array.from({ length: len }, () => (rnd() * 256) | 0);
      if (pick >= 0.3 && pick < 0.6) data[Math.floor(rnd() * len)] = 0;
      flash.program(addr, data);
      ops.push({ kind: 'program', addr, len, data: flash.read(addr, len) });
    }
    states.push(flash.snapshot().bytes);
  }
  return { base, ops, states };
}

/** The flash of a fork at state `state` with operation `state` torn at `fraction`, as the sweep builds it. */
function torn(states: Uint8Array[], ops: JournalOp[], state: number, fraction: number): Uint8Array {
  const flash = new NorFlash({ size: SIZE, sectorSize: SECTOR, writeSize: 8 }, 7, { bytes: states[state]!.slice(), counters: { ops: 0, erases: 0, programs: 0, dirtyPrograms: 0 } });
  const op = ops[state]!;
  flash.armCut({ atOp: 1, torn: true, fraction });
  assert.throws(() => (op.kind === 'erase' ? flash.erase(op.addr, op.len) : flash.program(op.addr, op.data!)), PowerLoss);
  return flash.snapshot().bytes;
}

const equalOn = (a: Uint8Array, b: Uint8Array, r: Int32Array) => {
  for (let i = 0; i < r.length; i += 2) for (let k = r[i]!; k < r[i + 1]!; k++) if (a[k] !== b[k]) return false;
  return true;
};

test('a fork inside a span has the anchor state’s bytes wherever the recovery read; outside it, at some point not', () => {
  const rnd = mulberry32(42);
  let inside = 0;
  let differs = 0;
  for (let round = 0; round < 20; round++) {
    const { base, ops, states } = journal(rnd, 60);
    const spans = new JournalSpans(base, ops);
    // A torn state's bytes depend on the journal alone (NorFlash's seed is fixed): built once per round, not per query.
    const tornStates = new Map<string, Uint8Array>();
    const tornAt = (state: number, fraction: number): Uint8Array => {
      const key = `${state} ${fraction}`;
      let bytes = tornStates.get(key);
      if (!bytes) tornStates.set(key, (bytes = torn(states, ops, state, fraction)));
      return bytes;
    };
    for (let q = 0; q < 10; q++) {
      const ranges: number[] = [];
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) {
        const s = 64 * Math.floor(rnd() * (SIZE / 64 - 4));
        ranges.push(s, s + 64 * (1 + Math.floor(rnd() * 4)));
      }
      const read = merged(ranges);
      const anchor = Math.floor(rnd() * states.length);
      const span = spans.span(read, anchor);
      assert.ok(span.lo <= anchor && anchor <= span.hi);
      for (let state = 0; state < states.length; state++) {
        for (const at of [{ state, torn: false, fraction: 0 }, ...(state < ops.length ? [0.25, 0.5, 0.9].map((fraction) => ({ state, torn: true, fraction })) : [])]) {
          const s = spans.resolve(at, read);
          if (s < span.lo || s > span.hi) continue;
          inside++;
          const bytes = at.torn ? tornAt(state, at.fraction) : states[state]!;
          assert.ok(equalOn(bytes, states[anchor]!, read), `round ${round}: state ${state}${at.torn ? ` torn at ${at.fraction}` : ''} resolves to ${s} in span [${span.lo}, ${span.hi}] of ${anchor}, yet its bytes differ where read`);
        }
      }
      // Just past the span, an operation changed a byte that was read.
      if (span.hi < ops.length && !equalOn(states[span.hi + 1]!, states[anchor]!, read)) differs++;
    }
  }
  assert.ok(inside > 1000, `only ${inside} starts inside spans`);
  assert.ok(differs > 50, `only ${differs} span ends where bytes changed`);
});
