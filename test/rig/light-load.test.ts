// Validating a rig loads the kinds' option schemas, not their libraries: mqtt, aedes, execa and
// serialport are imported when a board that needs them is built (harness/rig/kind.ts). Nor any
// simulated stack: a stack's modules load when its board's images are built (harness/sim/registry.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const loaded = (rig: string): { packages: string[]; simStacks: string[] } => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/rig/fixtures/load-rig-child.mjs', rig], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { packages: string[]; simStacks: string[] };
};

for (const rig of ['rigs/sim.json', 'rigs/examples/bench-a.json']) {
  test(`validating ${rig} loads no transport, broker, tool or serial library, nor a simulator`, () => {
    const { packages, simStacks } = loaded(rig);
    assert.deepEqual(simStacks, [], 'simulated stacks loaded');
    assert.ok(packages.includes('@sinclair/typebox'), `the schema library is seen loaded: ${packages.join(' ')}`);
    for (const heavy of ['mqtt', 'aedes', 'execa', 'serialport']) assert.ok(!packages.includes(heavy), `${heavy} was loaded: ${packages.join(' ')}`);
  });
}
