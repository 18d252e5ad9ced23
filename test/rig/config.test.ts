// otaHilConfig: a firmware repository's specs and the stock library, per rig board, with its own kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { otaHilConfig as armingConfig, STOCK_SCENARIOS } from '../../harness/config.ts';
import { powerKinds } from '../../harness/power/registry.ts';
import { defineKind } from '../../harness/rig/kind.ts';
import { kindsCheckpoint } from '../../harness/rig/extend.ts';

/** otaHilConfig, without the SIGTERM handler it arms for the Playwright runner it runs in: this process is a test's. */
function otaHilConfig(...args: Parameters<typeof armingConfig>): ReturnType<typeof armingConfig> {
  const before = process.listeners('SIGTERM');
  try {
    return armingConfig(...args);
  } finally {
    for (const l of process.listeners('SIGTERM')) if (!before.includes(l)) process.off('SIGTERM', l);
  }
}

test('own specs and the chosen stock scenarios run on every board; kinds are registered', (t) => {
  t.after(kindsCheckpoint()); // the next test file in this process knows the kind no more
  const plug = defineKind({ kind: 'test-config-plug', options: {}, create: () => ({}) as never });
  const config = otaHilConfig({ rigs: ['rigs/sim.json'], testDir: 'tests/ota', stock: { grep: /withheld commit/ }, kinds: { power: [plug] } });
  const names = config.projects!.map((p) => p.name);
  assert.ok(names.includes('sim/mcuboot-1') && names.includes('sim/mcuboot-1/stock'), names.join(', '));
  const own = config.projects!.find((p) => p.name === 'sim/mcuboot-1')!;
  const stock = config.projects!.find((p) => p.name === 'sim/mcuboot-1/stock')!;
  assert.equal(own.testDir, 'tests/ota');
  assert.equal(stock.testDir, STOCK_SCENARIOS);
  assert.deepEqual(stock.grep, /withheld commit/);
  assert.deepEqual(stock.use, own.use);
  assert.ok(existsSync(path.join(STOCK_SCENARIOS, 'withheld-commit.spec.ts')) || existsSync(path.join(STOCK_SCENARIOS, 'withheld-commit.spec.js')));
  assert.ok(powerKinds.kinds.some((k) => k.kind === 'test-config-plug'));
});

test('two configs in one runner arm one SIGTERM handler, so a second SIGTERM still ends the run', () => {
  const before = process.listeners('SIGTERM');
  try {
    armingConfig({ rigs: ['rigs/sim.json'] });
    armingConfig({ rigs: ['rigs/sim.json'] });
    assert.equal(process.listeners('SIGTERM').filter((l) => !before.includes(l)).length, process.send ? 0 : 1);
  } finally {
    for (const l of process.listeners('SIGTERM')) if (!before.includes(l)) process.off('SIGTERM', l);
  }
});

test('without testDir only the stock library runs, under the board names', () => {
  const config = otaHilConfig({ rigs: ['rigs/sim.json'] });
  assert.ok(config.projects!.every((p) => p.testDir === STOCK_SCENARIOS && !p.name!.endsWith('/stock')));
});

test('a worker stays with one board while there are more boards than workers; a lone board gets them all', () => {
  const many = otaHilConfig({ rigs: ['rigs/sim.json'], playwright: { workers: 2 } });
  assert.equal(many.workers, 2);
  assert.ok(many.projects!.length > 2);
  for (const p of many.projects!) assert.equal(p.workers, 1, p.name);
  const one = otaHilConfig({ rigs: ['rigs/sim-pty.json'], playwright: { workers: 4 } });
  assert.deepEqual(one.projects!.map((p) => [p.name, p.workers]), [['sim-pty/mcuboot-pty', 4]]);
});
