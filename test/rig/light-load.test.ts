// Validating a rig loads the kinds' option schemas, not their libraries: mqtt, aedes, execa and
// serialport are imported when a board that needs them is built (harness/rig/kind.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const loaded = (rig: string): string[] => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/rig/fixtures/load-rig-child.mjs', rig], { encoding: 'utf8', timeout: 60_000 });
  return (JSON.parse(out.trim().split('\n').at(-1)!) as { packages: string[] }).packages;
};

for (const rig of ['rigs/sim.json', 'rigs/examples/bench-a.json']) {
  test(`validating ${rig} loads no transport, broker, tool or serial library`, () => {
    const packages = loaded(rig);
    assert.ok(packages.includes('@sinclair/typebox'), `the schema library is seen loaded: ${packages.join(' ')}`);
    for (const heavy of ['mqtt', 'aedes', 'execa', 'serialport']) assert.ok(!packages.includes(heavy), `${heavy} was loaded: ${packages.join(' ')}`);
  });
}
