import { test, expect } from '../harness/index.ts';
import { summarize } from '../harness/fleet/verdict.ts';

// Fleet rollouts as the cloud runs them, over the rig's simulated boards in one test (the rig's
// "fleet" project). Every state comes from what the harness sees: boots on each console, the
// transport's deliveries.

test.describe('targeted by a tag filter', { tag: '@fleet' }, () => {
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

test.describe('Particle-style boards, some busy', { tag: ['@fleet', '@particle'] }, () => {
  test.use({ fleetOptions: { boards: 'stack=particle', copies: 4 } });
  const WATCH_MS = 2000;

  test('immediate rollout while some boards have updates disabled: no reboot while disabled, update pending, applied once enabled', async ({ fleet, report }) => {
    test.skip(fleet.boards.length < 2, 'needs two Particle-style boards');
    const busy = fleet.boards.filter((_, i) => i % 2 === 0);
    await report.fault(`${busy.length} of ${fleet.boards.length} boards have updates disabled (System.disableUpdates()) when the release goes out`);
    await fleet.install('baseline');
    for (const b of busy) {
      await b.console.send('updates disable');
      await b.console.expect(/updates disabled/);
    }
    const rollout = fleet.rollout({ mode: 'immediate' });
    await rollout.until((r) => (busy.some((b) => b.name === r.board) ? r.state === 'deferred' : r.state === 'committed'), 60_000, 'free boards to update and busy ones to defer');
    const from = new Map(busy.map((b) => [b.name, b.console.lines.length]));
    await new Promise((r) => setTimeout(r, WATCH_MS));
    for (const b of busy) {
      expect(b.boots.all().filter((x) => x.startLine >= rollout.offeredAt(b.name)).map((x) => x.version), `${b.name} did not reboot while updates were disabled`).toEqual([]);
      const probe = b.console.lines.length;
      await b.console.send('status');
      await b.console.expect(/update pending/, { from: probe });
      expect(rollout.state(b.name)).toBe('deferred');
      expect(b.console.lines.length).toBeGreaterThanOrEqual(from.get(b.name)!);
    }
    for (const b of busy) await b.console.send('updates enable');
    await rollout.until((r) => r.state === 'committed', 60_000, 'deferred boards to apply the update once enabled');
    const s = summarize(rollout);
    expect([s.onCandidate, s.deferred, s.bricked]).toEqual([fleet.boards.length, 0, 0]);
  });
});

test.describe('power cuts across a fleet', { tag: ['@fleet', '@power-cut'] }, () => {
  // Stacks whose cut during download or swap is promised safe (esp8266 copy window and Particle's
  // cleared slot are shown by their own scenarios); two of each.
  test.use({ fleetOptions: { boards: 'arch!=esp8266,stack!=particle', copies: 2 } });

  test('rollout with power cuts on a sampled fraction of boards during download and swap: 0 bricks, every board as promised, the rest retried', async ({ fleet, report }) => {
    const seed = Number(process.env.OTA_HIL_SEED ?? 1);
    let x = seed >>> 0 || 1;
    const rand = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const plan = fleet.boards.map((b) => {
      const swap = b.promises.swapStarts !== null && b.promises.cutDuringSwap !== null && !('brickRisk' in b.promises.cutDuringSwap) && b.promises.cutDuringSwap.runs !== 'none';
      const r = rand();
      return { board: b, cut: r < 0.25 ? ('download' as const) : r < 0.5 && swap ? ('swap' as const) : null, at: 0.2 + rand() * 0.6 };
    });
    const cut = plan.filter((p) => p.cut);
    test.skip(cut.length === 0, 'the sample picked no board');
    await report.fault(`seed ${seed}: ${cut.map((p) => `${p.board.name} cut during ${p.cut}${p.cut === 'download' ? ` at ${Math.round(p.at * 100)}%` : ''}`).join('; ')}`);
    await fleet.install('baseline');
    const rollout = fleet.rollout({ mode: 'immediate' });
    await Promise.all(
      cut.map(async ({ board, cut: where, at }) => {
        const deadline = Date.now() + 30_000;
        while (!rollout.delivery(board.name) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const d = rollout.delivery(board.name);
        if (!d) throw new Error(`${board.name}: no delivery started within 30 s`);
        if (where === 'download') await d.reached({ fraction: at }, { timeout: 30_000 });
        else await board.console.expect(board.promises.swapStarts!, { from: rollout.offeredAt(board.name), timeout: 30_000 });
        await board.power.cut();
        await new Promise((r) => setTimeout(r, 100));
        await board.power.restore();
      }),
    );
    const records = await rollout.until((r) => r.state === 'committed' || r.bricked, 90_000, 'every board to settle');
    const s = summarize(rollout);
    expect(s.bricked, 'bricked boards').toBe(0);
    for (const r of records) expect(r.onCandidate || r.onBaseline, `${r.board} runs ${r.version}: neither baseline nor candidate`).toBe(true);
    expect(s.onCandidate, 'every board converges on the candidate, the cut ones by a retry or a resumed swap').toBe(fleet.boards.length);
    for (const p of cut.filter((c) => c.cut === 'download')) expect(rollout.records().find((r) => r.board === p.board.name)!.attempts, `${p.board.name} was retried`).toBeGreaterThan(1);
  });
});

test.describe('Zerynth-style device-manager fleet', { tag: ['@fleet', '@zerynth', '@withheld-commit'] }, () => {
  test.use({ fleetOptions: { boards: 'stack=zerynth', copies: 4 } });

  test('rollout where the commit is withheld for some boards: they revert, the others become permanent', async ({ fleet, report }) => {
    test.skip(fleet.boards.length < 2, 'needs two Zerynth-style boards');
    const withheld = new Set(fleet.boards.filter((_, i) => i % 2 === 1).map((b) => b.name));
    await report.fault(`device manager withholds the commit for ${[...withheld].join(', ')}; each board power-cycled afterwards`);
    await fleet.install('baseline');
    const rollout = fleet.rollout({ mode: 'immediate', commit: (b) => (withheld.has(b.name) ? 'withhold' : 'confirm') });
    await rollout.until((r) => (withheld.has(r.board) ? r.state === 'trial' : r.state === 'committed'), 60_000, 'trial boots, and the accepted boards committed');
    for (const b of fleet.boards) await b.power.cycle();
    await rollout.until((r) => (withheld.has(r.board) ? r.state === 'reverted' : r.state === 'committed'), 60_000, 'withheld boards to revert');
    for (const r of rollout.records()) {
      if (withheld.has(r.board)) expect(r.onBaseline, `${r.board} reverted to the baseline (runs ${r.version})`).toBe(true);
      else expect(r.onCandidate, `${r.board} kept the candidate (runs ${r.version})`).toBe(true);
    }
    const s = summarize(rollout);
    expect([s.onCandidate, s.onBaseline, s.bricked]).toEqual([fleet.boards.length - withheld.size, withheld.size, 0]);
  });
});
