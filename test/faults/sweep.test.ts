// The sweep engine over a whole recorded update (withheld commit, then the revert): on the correct
// MCUboot every cut point, clean and torn, ends on the baseline; with a seeded bug whose swap
// status is written before its copy, some cut bricks the board, and the sweep says where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordUpdate, type Recording } from '../../harness/faults/record.ts';
import { sweep } from '../../harness/faults/sweep.ts';
import { sweepThreads } from '../../harness/faults/sweep-threads.ts';
import { replayPlan, summarizeSweep, sweepTable } from '../../harness/faults/summary.ts';
import { smallRig, withBoard } from './helpers.ts';

async function record(mutant?: string): Promise<Recording> {
  return withBoard(smallRig({ mutant }), (board) => recordUpdate(board, { flow: 'withhold', baseline: board.images.baseline!, candidate: board.images.candidate! }));
}

test('correct MCUboot: every cut point of an update and its revert ends on the baseline, in every phase', async (t) => {
  const rec = await record();
  assert.equal(rec.result.outcome, 'baseline', rec.result.boots.join(' → '));
  const phases = new Set(rec.ops.map((o) => o.phase));
  assert.deepEqual([...phases], ['download', 'swap', 'revert']);
  const r = await sweep(rec);
  const s = summarizeSweep(r);
  t.diagnostic(sweepTable(s));
  assert.equal(r.total, 2 * rec.ops.length + 1);
  assert.equal(r.covered, r.total);
  assert.deepEqual(r.failures, []);
  assert.deepEqual(s.byOutcome, { baseline: r.total });
});

test('mutant record-before-copy: the sweep finds a brick, with the operation and a plan that replays it', async (t) => {
  const rec = await record('record-before-copy');
  const r = await sweep(rec, { stopAfterFailures: 3 });
  t.diagnostic(sweepTable(summarizeSweep(r), 5));
  assert.ok(r.failures.length >= 3 && r.covered < r.total, `${r.failures.length} failures, ${r.covered}/${r.total} covered: it should stop early`);
  const f = r.failures.find((x) => x.outcome === 'brick');
  assert.ok(f, `no brick among: ${r.failures.map((x) => x.outcome).join(', ')}`);
  assert.match(f.what, /^(after|torn during) op \d+ \((program|erase) 0x[0-9a-f]+\+\d+/);
  assert.ok(['swap', 'revert'].includes(f.phase), f.phase);
  assert.match(f.boots.join(' | '), /nothing \(event brick\)/);
  const plan = replayPlan(r, f);
  assert.deepEqual(plan.cuts, [f.torn ? { kind: 'flash-op', op: f.op, torn: true, fraction: 0.5 } : { kind: 'flash-op', op: f.op + 1 }]);
  assert.equal(plan.commit, 'withhold');
});

test('spread over worker threads, the sweep gives the same verdict at every point', async () => {
  const rec = await record('record-before-copy');
  const filter = (p: { op: number }) => p.op % 5 === 0;
  const here = await sweep(rec, { filter });
  const threaded = await sweepThreads(rec, { filter, threads: 2 });
  const view = (r: typeof here) => r.results.map((p) => `${p.what}: ${p.outcome} ${p.boots.join(' → ')}`);
  assert.equal(threaded.covered, here.covered);
  assert.deepEqual(view(threaded), view(here));
  assert.ok(here.failures.length > 0, 'the sample should hold failing points too');
});

test('a second sweep on threads the first one left (pooled) gives the same verdicts as one in this thread', async () => {
  const rec = await record('record-before-copy');
  const view = (r: Awaited<ReturnType<typeof sweep>>) => r.results.map((p) => `${p.what}: ${p.outcome} ${p.boots.join(' → ')}`);
  for (const k of [0, 1]) {
    const filter = (p: { op: number }) => p.op % 7 === k;
    const threaded = await sweepThreads(rec, { filter, threads: 3 });
    const here = await sweep(rec, { filter });
    assert.ok(here.covered > 10, `only ${here.covered} points`);
    assert.deepEqual(view(threaded), view(here), `sweep ${k + 1}`);
  }
});
