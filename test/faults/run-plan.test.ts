// Fault plans on a simulated MCUboot board through the harness: a warm reset mid-swap (no power
// cut, the swap resumes), a cut while recovering from a cut, a trigger that never comes (the
// update then simply completes), and a seeded bug that a plan exposes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../../harness/faults/run-plan.ts';
import { smallRig, withBoard } from './helpers.ts';

test('a warm reset mid-swap keeps power and the swap resumes to the candidate', async () => {
  await withBoard(smallRig(), async (board) => {
    // Operation 60 of this update is well inside the swap (the download takes a few dozen).
    const r = await runPlan(board, { name: 'reset', cuts: [{ kind: 'flash-op', op: 60, reset: true }] });
    assert.equal(r.recovery.outcome, 'candidate', r.summary);
    assert.deepEqual(r.cuts.map((c) => c.fired), [true]);
    assert.match(r.recovery.boots[0]!, /1\.1\.0 from primary \(event swap-resumed\)/);
    // No power cut between the reset and the resumed swap's app coming up.
    const events = board.console.events;
    const reset = events.findIndex((e) => e.text === 'reset (RST pin) after flash operation 60');
    assert.ok(reset >= 0, events.map((e) => e.text).join('\n'));
    const off = events.slice(reset).find((e) => e.text === 'power off')!;
    const between = board.console.lines.slice(events[reset]!.atLine, off.atLine).map((l) => l.text);
    assert.ok(between.some((l) => /Starting swap using scratch algorithm/.test(l)) && between.some((l) => /Firmware version 1\.1\.0/.test(l)), between.join('\n'));
  });
});

test('a cut, then another while the board recovers: both fire and the board still ends on an image', async () => {
  await withBoard(smallRig(), async (board) => {
    const r = await runPlan(board, {
      name: 'twice',
      commit: 'withhold',
      cuts: [
        { kind: 'console', pattern: 'Starting swap', delayMs: 5 },
        { kind: 'power-on', delayMs: 3 },
      ],
    });
    assert.deepEqual(r.cuts.map((c) => c.fired), [true, true]);
    assert.equal(r.recovery.outcome, 'baseline', r.summary);
    assert.ok(r.ok);
  });
});

test('a trigger that never comes is reported, and the update completes as promised', async () => {
  await withBoard(smallRig(), async (board) => {
    const r = await runPlan(board, { name: 'never', cuts: [{ kind: 'console', pattern: 'no such line ever', delayMs: 0 }] });
    assert.deepEqual(r.cuts.map((c) => c.fired), [false]);
    assert.match(r.summary, /cuts\/0 never triggered/);
    assert.equal(r.recovery.outcome, 'candidate', r.summary);
  });
});

test('a plan exposes a seeded bug: without its revert row MCUboot keeps an unconfirmed image', async () => {
  await withBoard(smallRig({ mutant: 'revert-skipped' }), async (board) => {
    const r = await runPlan(board, { name: 'withheld', commit: 'withhold' });
    assert.equal(r.ok, false);
    assert.equal(r.recovery.outcome, 'wrong-image', r.summary);
    assert.match(r.recovery.detail, /settled on the candidate; promised: baseline/);
  });
});
