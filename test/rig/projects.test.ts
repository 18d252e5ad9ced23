// One Playwright project per rig board; a real board's scenarios run in one worker at a time,
// simulated boards in as many as the run has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rigProjects } from '../../harness/rig/projects.ts';

test('a real board gets a one-worker project; a simulated board is not limited', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-projects-'));
  writeFileSync(path.join(dir, 'base.bin'), Buffer.alloc(64));
  const real = {
    name: 'esp32-1',
    stack: 'esp-idf',
    console: { port: { byId: 'usb-Silicon_Labs_CP2102_0001-if00-port0' } },
    power: { kind: 'manual' },
    transport: { kind: 'command', command: ['true', '{image}'] },
    install: { kind: 'command', command: ['true', '{image}'] },
  };
  const file = path.join(dir, 'bench.json');
  writeFileSync(file, JSON.stringify({ name: 'bench', images: { baseline: { version: '1.0.0', file: 'base.bin' } }, boards: [real] }));
  const projects = rigProjects([file, 'rigs/sim.json'], undefined);
  const bench = projects.find((p) => p.name === 'bench/esp32-1');
  assert.equal(bench?.workers, 1);
  assert.equal(bench?.retries, 1, 'a real board gets a retry (a pass on it is flaky)');
  const sims = projects.filter((p) => p.name!.startsWith('sim/'));
  assert.ok(sims.length > 1);
  for (const p of sims) assert.equal(p.workers, undefined, p.name);
  for (const p of sims.filter((s) => s.name !== 'sim/fleet')) assert.equal(p.retries, 0, `${p.name}: a simulator has no contact problems to retry`);
});
