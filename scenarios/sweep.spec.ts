// The exhaustive power-cut sweep (simulated boards): record one whole update once, then cut power
// after and during every flash operation it made, forking from the recorded flash instead of
// replaying, and hold every cut point to what the stack promises.
import { test, expect } from '../harness/index.ts';
import { nextVersionOf, recordUpdate } from '../harness/faults/record.ts';
import { sweepThreads } from '../harness/faults/sweep-threads.ts';
import { sweepTable } from '../harness/faults/summary.ts';
import { reportSweep } from '../harness/faults/sweep-report.ts';

const FLOWS = [
  { flow: 'confirm', again: false, title: 'an update and its commit' },
  { flow: 'withhold', again: false, title: 'an update with a withheld commit and its revert' },
  // After one committed update the board runs from the other slot (A/B stacks): sweep the next one.
  { flow: 'confirm', again: true, title: 'a second update, from where the first one left the board' },
] as const;

test.describe('power-cut sweep', { tag: ['@sweep', '@power-cut'] }, () => {
  for (const { flow, again, title } of FLOWS) {
    test(`every cut point of ${title} ends as the stack promises`, async ({ board, images, report }) => {
      await report.notApplicable(!board.sim, `${board.name} is hardware: a sweep forks simulated flash (scenarios/sampled-cuts.spec.ts covers hardware)`);
      await report.notApplicable(flow === 'withhold' && board.promises.withheldCommit === null, `${board.stack} cannot roll back an unconfirmed image`);
      test.setTimeout(20 * 60_000);
      await report.fault(`power cut after and during (torn) every flash operation of ${title}`);

      const rec = again
        ? await recordUpdate(board, { flow, baseline: images.baseline!, via: images.candidate!, candidate: nextVersionOf(board, 'candidate') })
        : await recordUpdate(board, { flow, baseline: images.baseline!, candidate: images.candidate! });
      expect(rec.result, 'the uninterrupted update keeps the promise').toMatchObject({ ok: true });

      // OTA_HIL_SWEEP_STOP_AFTER=N ends a sweep after N failing points (npm run mutants needs only one);
      // OTA_HIL_SWEEP_THREADS=N spreads the forks over N worker threads.
      const stop = process.env.OTA_HIL_SWEEP_STOP_AFTER;
      const threads = Number(process.env.OTA_HIL_SWEEP_THREADS ?? 1);
      const result = await sweepThreads(rec, { threads, stopAfterFailures: stop ? Number(stop) : undefined });
      // The picture, the tables, a fault plan per failing point, the documented risk and the coverage.
      const summary = await reportSweep(report, rec, result);
      console.log(sweepTable(summary));
      const failing = summary.failures.map((f, i) => `#${i + 1} ${f.what} [${f.phase}]: ${f.outcome} — ${f.detail}`);
      expect(failing, 'every cut point ends as promised (a failing one is numbered as in sweep.svg)').toEqual([]);
    });
  }
});
