// Network faults on the way to the board, each through the rig's transport (test.use({ faultPlan })
// opens the board with the fault in its transport): a byte flipped in transit must be refused
// (and without a reboot where the stack promises that); a stalled transfer still lands.
import { test, expect } from '../harness/index.ts';
import { runPlan } from '../harness/faults/run-plan.ts';
import { describePlan, type FaultPlan } from '../harness/faults/plan.ts';

const PLANS: FaultPlan[] = [
  { name: 'byte flipped in transit near the start', network: { corrupt: { fraction: 0.1 } } },
  { name: 'byte flipped in transit near the end', network: { corrupt: { fraction: 0.9 } } },
  { name: 'transfer stalled for a second', network: { stall: { fraction: 0.3, ms: 1000 } } },
];

for (const plan of PLANS) {
  test.describe(`network fault: ${plan.name}`, { tag: ['@sweep', '@network-fault'] }, () => {
    test.use({ faultPlan: plan });
    test('ends as the stack promises', async ({ board, report }) => {
      await report.notApplicable(board.config.transport.kind !== 'http-pull' && !plan.network?.stall, `transport ${board.config.transport.kind} cannot make this fault`);
      await report.fault(describePlan(plan));
      const r = await runPlan(board, plan);
      expect({ ok: r.ok, summary: r.summary }, 'the fault plan ends as the stack promises').toMatchObject({ ok: true });
    });
  });
}
