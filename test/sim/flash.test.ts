// NorFlash basics: the physics every simulated stack relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NorFlash, PowerLoss } from '../../harness/sim/flash.ts';

const geo = { size: 4 * 4096, sectorSize: 4096, writeSize: 8 };
const bytes = (...v: number[]) => Uint8Array.from(v);

test('a new flash reads erased (0xFF) everywhere', () => {
  const f = new NorFlash(geo);
  assert.ok(f.read(0, geo.size).every((b) => b === 0xff));
  assert.deepEqual(f.stats, { ops: 0, erases: 0, programs: 0, dirtyPrograms: 0 });
});

test('programming only clears bits; programming over programmed cells counts as dirty', () => {
  const f = new NorFlash(geo);
  f.program(0, bytes(1, 2, 3, 4, 5, 6, 7, 8));
  assert.equal(f.stats.dirtyPrograms, 0, 'onto erased cells is clean');
  f.program(8, bytes(0xf0, 0x0f, 0xff, 0x00, 1, 2, 3, 4));
  assert.deepEqual(f.read(8, 8), bytes(0xf0, 0x0f, 0xff, 0x00, 1, 2, 3, 4));
  f.program(8, bytes(0x0f, 0xf0, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff));
  assert.deepEqual(f.read(8, 4), bytes(0x00, 0x00, 0x01, 0x00)); // AND of old and new
  assert.ok(f.stats.dirtyPrograms > 0);
  f.erase(0, 4096);
  assert.ok(f.read(0, 4096).every((b) => b === 0xff));
});

test('misaligned programs and erases, and out-of-range access, are errors', () => {
  const f = new NorFlash(geo);
  assert.throws(() => f.program(4, new Uint8Array(8)), /not aligned to the 8-byte write unit/);
  assert.throws(() => f.program(0, new Uint8Array(12)), /not aligned/);
  assert.throws(() => f.erase(2048, 4096), /not aligned to the 0x1000 sector/);
  assert.throws(() => f.erase(0, 100), /not aligned/);
  assert.throws(() => f.read(geo.size - 4, 8), /outside/);
  assert.throws(() => new NorFlash({ size: 5000, sectorSize: 4096, writeSize: 8 }), /not a multiple of the sector size/);
  assert.equal(f.stats.ops, 0, 'rejected operations are not counted');
});

test('operations are counted and reported to onOp', () => {
  const f = new NorFlash(geo);
  const seen: string[] = [];
  f.onOp = (op, n) => seen.push(`${n}:${op.kind}@${op.addr}+${op.len}`);
  f.erase(4096, 8192);
  f.program(0, new Uint8Array(16));
  assert.deepEqual(f.stats, { ops: 2, erases: 1, programs: 1, dirtyPrograms: 0 });
  assert.deepEqual(seen, ['1:erase@4096+8192', '2:program@0+16']);
});

test('a cut before op N loses exactly that operation', () => {
  const f = new NorFlash(geo);
  f.armCut({ atOp: 2 });
  f.program(0, bytes(1, 1, 1, 1, 1, 1, 1, 1));
  assert.throws(() => f.program(8, bytes(2, 2, 2, 2, 2, 2, 2, 2)), PowerLoss);
  assert.ok(f.read(8, 8).every((b) => b === 0xff));
  assert.equal(f.stats.ops, 1);
  f.program(8, bytes(3, 3, 3, 3, 3, 3, 3, 3)); // the plan was one-shot
  assert.deepEqual(f.read(8, 1), bytes(3));
});

test('a torn program leaves a prefix of its bytes', () => {
  const f = new NorFlash(geo);
  f.armCut({ atOp: 1, torn: true, fraction: 0.5 });
  assert.throws(() => f.program(0, Uint8Array.from({ length: 16 }, (_, i) => i)), PowerLoss);
  assert.deepEqual(f.read(0, 16), Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, ...new Array<number>(8).fill(0xff)]));
  assert.equal(f.stats.ops, 1);
  assert.equal(f.stats.programs, 0, 'a torn program did not complete');
});

test('a torn erase leaves the sector neither old nor erased', () => {
  const f = new NorFlash(geo, 7);
  f.program(4096, new Uint8Array(4096)); // all zero
  f.armCut({ atOp: 2, torn: true, fraction: 0.5 });
  assert.throws(() => f.erase(4096, 4096), PowerLoss);
  const s = f.read(4096, 4096);
  assert.ok(!s.every((b) => b === 0xff), 'not erased');
  assert.ok(!s.every((b) => b === 0x00), 'not old either');
  // Multi-sector erase: the sectors before the tear point are erased, later ones untouched.
  const g = new NorFlash(geo, 7);
  g.program(0, new Uint8Array(geo.size));
  g.armCut({ atOp: 2, torn: true, fraction: 0.5 });
  assert.throws(() => g.erase(0, geo.size), PowerLoss);
  assert.ok(g.read(0, 8192).every((b) => b === 0xff));
  assert.ok(g.read(12288, 4096).every((b) => b === 0x00));
});

test('snapshot and restore bring back bytes and counters and disarm a cut', () => {
  const f = new NorFlash(geo);
  f.program(0, bytes(9, 9, 9, 9, 9, 9, 9, 9));
  const snap = f.snapshot();
  f.erase(0, 4096);
  f.armCut({ atOp: f.stats.ops + 1 });
  f.restore(snap);
  assert.deepEqual(f.read(0, 1), bytes(9));
  assert.equal(f.stats.ops, 1);
  f.program(8, new Uint8Array(8)); // no cut fires after restore
  snap.bytes[0] = 0; // the snapshot is a copy, not a view
  assert.deepEqual(f.read(0, 1), bytes(9));
});
