// Without --rig the board commands (power, console, ports, relays) use the rig the runner would:
// in a repository set up by `ota-hil init` that is rigs/lab.json, not this repository's rigs/sim.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRig } from '../../harness/cli/board-args.ts';

test('the default rig: $OTA_HIL_RIG first, else rigs/lab.json if there, else rigs/sim.json', () => {
  const none = () => false;
  const lab = (f: string) => f === 'rigs/lab.json';
  assert.equal(defaultRig({}, none), 'rigs/sim.json');
  assert.equal(defaultRig({}, lab), 'rigs/lab.json');
  assert.equal(defaultRig({ OTA_HIL_RIG: 'rigs/bench-b.json' }, lab), 'rigs/bench-b.json');
  assert.equal(defaultRig({ OTA_HIL_RIG: ',rigs/a.json,rigs/b.json' }, lab), 'rigs/a.json');
  assert.equal(defaultRig({ OTA_HIL_RIG: '' }, lab), 'rigs/lab.json');
});
