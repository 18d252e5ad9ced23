// Forking is faithful: for a sample of cut points, a fork (recorded flash at the point, torn
// operation applied, fresh device) starts from exactly the flash a replay leaves at the cut — a
// fresh board driven through the whole update by the harness with the cut armed in its flash at
// that operation (runPlan) — and ends the same way. The sample mixes phases, clean and torn
// cuts (programs and erases), and outcomes (a seeded bug makes some cuts brick).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordUpdate } from '../../harness/faults/record.ts';
import { stateAt, sweep, type PointResult } from '../../harness/faults/sweep.ts';
import { replayPlan } from '../../harness/faults/summary.ts';
import { runPlan } from '../../harness/faults/run-plan.ts';
import { Fork } from '../../harness/faults/fork.ts';
import type { Board } from '../../harness/fixtures/board.ts';
import { smallRig, withBoard } from './helpers.ts';

/** The whole flash the moment the armed cut took the power. */
function flashAtCut(board: Board): () => Uint8Array | null {
  const sim = board.sim!;
  let armed = false;
  let atCut: Uint8Array | null = null;
  const arm = sim.flash.armCut.bind(sim.flash);
  sim.flash.armCut = (plan) => {
    armed ||= plan !== null;
    arm(plan);
  };
  const off = sim.powerOff.bind(sim);
  sim.powerOff = () => {
    if (armed && !atCut && sim.flash.armedCut === null) atCut = sim.flash.read(0, sim.flash.geometry.size);
    off();
  };
  return () => atCut;
}

test('fork and replay agree on the flash at the cut, the outcome and the boots, for sampled cut points', async (t) => {
  const rig = smallRig({ mutant: 'record-before-copy' });
  const rec = await withBoard(rig, (board) => recordUpdate(board, { flow: 'withhold', baseline: board.images.baseline!, candidate: board.images.candidate! }));
  const ops = rec.ops.length;
  const r = await sweep(rec, { filter: (p) => p.op % 7 === 3 || p.op === ops || rec.ops[p.op - 1]?.kind === 'erase' });
  const pick = (pred: (p: PointResult) => boolean) => r.results.find(pred);
  const erase = (p: PointResult) => rec.ops[p.op - 1]?.kind === 'erase';
  const sample = [
    pick((p) => p.phase === 'download' && !p.torn),
    pick((p) => p.phase === 'swap' && p.ok && !p.torn),
    pick((p) => p.phase === 'swap' && p.ok && p.torn && !erase(p)),
    pick((p) => p.phase === 'swap' && p.torn && erase(p)),
    pick((p) => p.phase === 'swap' && p.outcome === 'brick' && p.torn),
    pick((p) => p.phase === 'revert' && p.outcome === 'brick' && !p.torn),
    pick((p) => p.phase === 'revert' && p.ok && p.torn),
  ];
  assert.ok(sample.every(Boolean), `the sample lacks a phase/outcome: ${sample.map((p) => p?.what ?? 'none').join('; ')}`);
  for (const point of sample as PointResult[]) {
    const s = stateAt(rec, point);
    const fork = new Fork({ stack: rec.stack, config: rec.config, parser: rec.parser, commit: rec.commit, quietMs: 100 }, 'faithful', s.bytes, s.counters, s.torn);
    const forked = fork.device.flash.read(0, fork.device.flash.geometry.size);
    fork.dispose();
    let atCut: () => Uint8Array | null = () => null;
    const replay = await withBoard(rig, (board) => {
      atCut = flashAtCut(board);
      return runPlan(board, replayPlan(r, point));
    });
    t.diagnostic(`${point.what} [${point.phase}]: fork ${point.outcome}, replay ${replay.recovery.outcome}`);
    assert.ok(replay.cuts[0]!.fired && atCut(), `${point.what}: the replay never reached the operation`);
    assert.ok(Buffer.from(atCut()!).equals(Buffer.from(forked)), `${point.what}: the fork starts from other flash than the replay left`);
    assert.equal(replay.recovery.outcome, point.outcome, `${point.what}: fork ${point.boots.join(' → ')}; replay ${replay.recovery.boots.join(' → ')}`);
    assert.deepEqual(replay.recovery.boots, point.boots, point.what);
  }
});
