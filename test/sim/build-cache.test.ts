// A stack's image builds are remembered per process (harness/sim/registry.ts): each caller must
// still get bytes of its own, as a scenario flips or truncates its copy (corrupt image, torn write).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRig } from '../../harness/rig/load.ts';
import { simStack } from '../../harness/sim/registry.ts';

test('a remembered build is handed out as a copy: changing one leaves the next caller its bytes', async () => {
  const board = loadRig('rigs/sim.json').boards.find((b) => b.stack === 'mcuboot')!;
  const stack = await simStack(board.stack, board.name);
  const first = stack.buildImage({ version: '1.1.0' }, board.sim!);
  const pristine = first.slice();
  first.fill(0xff);
  const second = stack.buildImage({ version: '1.1.0' }, board.sim!);
  assert.notEqual(second, first);
  assert.deepEqual(second, pristine);
  // (and a build of other inputs is not the remembered one)
  assert.notDeepEqual(stack.buildImage({ version: '1.2.0' }, board.sim!), pristine);
});
