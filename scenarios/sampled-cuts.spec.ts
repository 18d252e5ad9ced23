// Sampled power cuts: the hardware counterpart of the exhaustive sweep (it runs on any board; on
// the default sim rig a few iterations). Each iteration is a fault plan drawn from (seed,
// iteration); a failure prints the one command that reruns it:
//   OTA_HIL_SEED=<seed> OTA_HIL_ITERATION=<i> npx playwright test scenarios/sampled-cuts.spec.ts
// OTA_HIL_ITERATIONS sets how many run (default 4), OTA_HIL_SAMPLE_MAX_DELAY_MS the delay range.
import { test, expect } from '../harness/index.ts';
import { runPlan } from '../harness/faults/run-plan.ts';
import { describePlan } from '../harness/faults/plan.ts';
import { defaultSpace, reproduceCommand, sampleIterations, samplePlan, sampleSeed } from '../harness/faults/sample.ts';

// A file filter for `npx playwright test`: it matches in this repository and in node_modules/ota-hil alike.
const FILE = 'sampled-cuts.spec';
const { seed, from } = sampleSeed();
const maxDelayMs = Number(process.env.OTA_HIL_SAMPLE_MAX_DELAY_MS ?? 300);

test.describe('sampled power cuts', { tag: ['@sampled', '@power-cut'] }, () => {
  for (const i of sampleIterations()) {
    test(`iteration ${i} ends as the stack promises`, async ({ board, report }, testInfo) => {
      const plan = samplePlan(seed, i, defaultSpace(board.promises, maxDelayMs));
      const again = reproduceCommand(seed, i, FILE, testInfo.project.name);
      console.log(`seed ${seed} (from ${from}), iteration ${i}: ${describePlan(plan)}\n  rerun: ${again}`);
      testInfo.annotations.push({ type: 'seed', description: String(seed) }, { type: 'rerun', description: again });
      await report.fault(describePlan(plan));
      await testInfo.attach('fault-plan.json', { body: JSON.stringify(plan, null, 2), contentType: 'application/json' });
      const result = await runPlan(board, plan);
      expect({ ok: result.ok, summary: result.summary, rerun: again }, 'the sampled cut ends as the stack promises').toMatchObject({ ok: true });
    });
  }
});
