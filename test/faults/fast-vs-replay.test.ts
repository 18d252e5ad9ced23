// The fast sweep changes nothing but speed, on every stack: for a sample of cut points (each
// phase, clean and torn), the outcome and boots of a fork in the fast sweep (flash views, shared
// buffers, recoveries remembered across forks) equal those of a sweep that recovers every fork in
// full, and those of a replay — a fresh board driven through the whole update by the harness with
// the cut armed in its flash at that operation (runPlan). One board per stack from rigs/sim.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateRig, type Rig } from '../../harness/rig/load.ts';
import { Board } from '../../harness/fixtures/board.ts';
import { recordUpdate, type Recording } from '../../harness/faults/record.ts';
import { sweep, type PointResult } from '../../harness/faults/sweep.ts';
import { replayPlan } from '../../harness/faults/summary.ts';
import { runPlan } from '../../harness/faults/run-plan.ts';

const RIG = 'rigs/sim.json';
const raw = JSON.parse(readFileSync(RIG, 'utf8')) as { boards: { name: string; stack: string; sim?: { timeScale?: number } }[] };
const perStack = new Map<string, string>();
for (const b of raw.boards) if (!perStack.has(b.stack)) perStack.set(b.stack, b.name);

/** The rig with only `board`, its simulation sped up (flash-op cuts do not depend on the pace). */
function rigFor(board: string): Rig {
  const data = JSON.parse(readFileSync(RIG, 'utf8')) as typeof raw;
  data.boards = data.boards.filter((b) => b.name === board).map((b) => ({ ...b, sim: { ...b.sim, timeScale: Math.max(200, b.sim?.timeScale ?? 20) } }));
  return validateRig(data, `${RIG} (${board} only, faster)`);
}

async function withBoard<T>(rig: Rig, fn: (board: Board) => Promise<T>): Promise<T> {
  const board = await Board.open(rig, rig.boards[0]!);
  try {
    return await fn(board);
  } finally {
    await board.close();
  }
}

/** A few points per phase: clean and torn, early and late in it. */
function samplePoints(rec: Recording): (p: { op: number; torn: boolean }) => boolean {
  const byPhase = new Map<string, number[]>();
  rec.ops.forEach((o, i) => byPhase.set(o.phase, [...(byPhase.get(o.phase) ?? []), i + 1]));
  const keep = new Set<string>();
  for (const ops of byPhase.values()) {
    const at = (f: number) => ops[Math.min(ops.length - 1, Math.floor(f * ops.length))]!;
    keep.add(`c${at(0.3)}`).add(`t${at(0.6)}`).add(`t${at(0.95)}`);
  }
  return (p) => keep.has(`${p.torn ? 't' : 'c'}${p.op}`);
}

const key = (p: PointResult) => `${p.torn ? 't' : 'c'}${p.op}`;

for (const [stack, name] of perStack) {
  test(`${stack} (${name}): fast sweep, full recoveries and replays agree on sampled cut points`, async (t) => {
    const rig = rigFor(name);
    const rec = await withBoard(rig, async (board) => {
      const flow = board.promises.withheldCommit === null ? 'confirm' : 'withhold';
      return recordUpdate(board, { flow, baseline: board.images.baseline!, candidate: board.images.candidate! });
    });
    assert.ok(rec.result.ok, `${name}: the uninterrupted update broke its promise: ${rec.result.boots.join(' → ')}`);
    const filter = samplePoints(rec);
    const fast = await sweep(rec, { filter });
    const full = await sweep(rec, { filter, memo: false, concurrency: 1 });
    assert.ok(fast.covered >= 3, `${name}: only ${fast.covered} sampled points`);
    const fullBy = new Map(full.results.map((p) => [key(p), p]));
    for (const p of fast.results) {
      const f = fullBy.get(key(p))!;
      assert.equal(p.outcome, f.outcome, `${name} ${p.what}: fast ${p.boots.join(' → ')}; full ${f.boots.join(' → ')}`);
      assert.deepEqual(p.boots, f.boots, `${name} ${p.what}`);
    }
    // Replays cost a whole update each: one per phase.
    const seen = new Set<string>();
    for (const p of fast.results) {
      // A clean cut after the last operation has no operation left for a replay to cut before.
      if (seen.has(p.phase) || (!p.torn && p.op === rec.ops.length)) continue;
      seen.add(p.phase);
      const replay = await withBoard(rig, (board) => runPlan(board, replayPlan(fast, p)));
      t.diagnostic(`${p.what} [${p.phase}]: sweep ${p.outcome}, replay ${replay.recovery.outcome}`);
      assert.ok(replay.cuts[0]!.fired, `${name} ${p.what}: the replay never reached the operation`);
      assert.equal(replay.recovery.outcome, p.outcome, `${name} ${p.what}: sweep ${p.boots.join(' → ')}; replay ${replay.recovery.boots.join(' → ')}`);
    }
  });
}
