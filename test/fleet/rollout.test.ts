// The rollout service on simulated boards over the device shadow: a gradual release reaches a
// board only at its next check-in (a boot after the release), never while it just sits online;
// states come from the console and the transport; the summary counts what the consoles show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRig } from '../../harness/rig/load.ts';
import type { BoardConfig } from '../../harness/rig/schema.ts';
import { Fleet } from '../../harness/fleet/fleet.ts';
import { summarize } from '../../harness/fleet/verdict.ts';

test('gradual rollout over the device shadow: each board at its next check-in; boards outside the filter untouched', async () => {
  const rig = loadRig('rigs/sim.json');
  const mongoose = rig.boards.find((b) => b.name === 'mongoose-1')!;
  const idf = rig.boards.find((b) => b.name === 'esp-idf-1')!;
  const shadow = (b: BoardConfig, name: string): BoardConfig => ({ ...b, name, tags: { ...b.tags, ring: name.endsWith('3') ? 'later' : 'first' }, transport: { kind: 'mqtt-shadow' } });
  const boards = [shadow(mongoose, 'mos-1'), shadow(mongoose, 'mos-2'), shadow(idf, 'idf-3')];
  const fleet = await Fleet.open({ ...rig, boards });
  try {
    await fleet.install('baseline');
    const rollout = fleet.rollout({ filter: 'ring=first', mode: 'gradual' });
    assert.deepEqual(rollout.excluded, ['idf-3']);
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(rollout.records().map((r) => r.state), ['pending', 'pending'], 'online boards wait for their next check-in');
    await fleet.board('mos-1').power.cycle();
    await rollout.until((r) => r.board !== 'mos-1' || r.state === 'committed', 30_000);
    assert.equal(rollout.state('mos-2'), 'pending');
    await fleet.board('mos-2').power.cycle();
    const records = await rollout.until((r) => r.state === 'committed', 30_000);
    for (const r of records) {
      const states = r.history.map((h) => h.state);
      assert.deepEqual(states.filter((s) => ['pending', 'notified', 'installed', 'trial', 'committed'].includes(s)), ['pending', 'notified', 'installed', 'trial', 'committed'], `${r.board}: ${states.join(' → ')}`);
    }
    const s = summarize(rollout);
    assert.deepEqual([s.targets, s.onCandidate, s.bricked, s.excluded], [2, 2, 0, 1]);
    assert.notEqual(s.timeToConvergeMs, null);
    assert.equal(fleet.board('idf-3').console.events.filter((e) => e.text.startsWith('ota:')).length, 0, 'idf-3 was never offered');
  } finally {
    await fleet.close();
  }
});
