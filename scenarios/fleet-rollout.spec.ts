import { test, expect } from '../harness/index.ts';
import { summarize } from '../harness/fleet/verdict.ts';

// Fleet rollouts as the cloud runs them, over the rig's simulated boards in one test (the rig's
// "fleet" project). Every state comes from what the harness sees: boots on each console, the
// transport's deliveries.

test.describe('targeted by a tag filter', () => {
  test.use({ fleetOptions: { copies: 2 } });

  test('rollout to arch=esp8266 while some boards are off: each gets it when it comes online, boards outside the filter never do', async ({ fleet, report }) => {
    const targets = fleet.select('arch=esp8266');
    const others = fleet.boards.filter((b) => !targets.includes(b));
    test.skip(targets.length < 2 || others.length === 0, 'needs two esp8266 boards and one other');
    const off = targets.filter((_, i) => i % 2 === 1);
    await report.fault(`${off.length} of ${targets.length} targets powered off when the rollout starts`);
    await fleet.install('baseline');
    for (const b of off) await b.power.cut();

    const rollout = fleet.rollout({ filter: 'arch=esp8266', mode: 'immediate' });
    const online = targets.filter((b) => !off.includes(b));
    await rollout.until((r) => !online.some((b) => b.name === r.board) || r.state === 'committed', 60_000, 'the online targets to take the candidate');
    for (const b of off) expect(rollout.state(b.name), `${b.name} is off: nothing can reach it`).toBe('pending');

    for (const b of off) await b.power.restore();
    await rollout.until((r) => r.state === 'committed', 60_000, 'every target to take the candidate');
    for (const r of rollout.records()) expect(r.onCandidate, `${r.board} runs ${r.version} (console)`).toBe(true);

    // Outside the filter: never offered, still on the baseline.
    expect(rollout.excluded.sort()).toEqual(others.map((b) => b.name).sort());
    for (const b of others) {
      expect(b.console.events.filter((e) => e.text.startsWith('ota:') || e.text.startsWith('rollout:')).map((e) => e.text), `${b.name} was never offered the release`).toEqual([]);
      expect(b.boots.all().map((x) => x.version), `${b.name} only ever ran the baseline`).toEqual(expect.arrayContaining([expect.stringContaining(b.images.baseline!.version)]));
      expect(b.boots.all().filter((x) => x.version?.includes(b.images.candidate!.version)), `${b.name} never ran the candidate`).toEqual([]);
    }
    const s = summarize(rollout);
    expect([s.onCandidate, s.bricked, s.deferred]).toEqual([targets.length, 0, 0]);
  });
});
