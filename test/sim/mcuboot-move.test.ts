// Swap using move (sim.swap 'move'): the nRF Connect SDK layout, its console shape, and power
// cuts over its test swap and revert.
import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Board, BASELINE, CANDIDATE, VERSION, cleanup, serve } from './mcuboot-helpers.ts';
import { FULL, SWEEP_CONFIG, capture, cutAt, indices, opsFrom, sweepFailures } from './mcuboot-sweep-kit.ts';
import { layoutFor } from '../../harness/sim/stacks/mcuboot/layout.ts';
import { mcubootStack } from '../../harness/sim/stacks/mcuboot/index.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';

afterEach(cleanup);
after(cleanup);

const MOVE: SimConfig = { swap: 'move' };

test('move layout: the primary has one sector more, no scratch, images stop a sector short', () => {
  const l = layoutFor(MOVE);
  assert.equal(l.primary.off, 0xc000);
  assert.equal(l.primary.size, 131072 + 4096);
  assert.equal(l.secondary.off, 0xc000 + 131072 + 4096);
  assert.equal(l.scratch, null);
  assert.equal(l.flashSize, l.secondary.off + 131072);
  assert.equal(l.maxImageSize, 131072 - 4096);
  assert.throws(() => mcubootStack.buildImage({ version: '1.0.0', size: 131072 - 4096 - 552 + 1 }, MOVE), /do not fit/);
  mcubootStack.buildImage({ version: '1.0.0', size: 131072 - 4096 - 552 }, MOVE);
});

test('move: test swap, revert and the log shape of an nRF board', async () => {
  const board = new Board(MOVE);
  board.install(BASELINE);
  const server = await serve(board.image(CANDIDATE));
  board.device.powerOn();
  await board.waitFor(/Firmware version 1\.1\.0/);
  const m = board.mark();
  board.send(`ota ${server.url}`);
  await board.waitFor(/Firmware version 1\.2\.0/, m);
  assert.match(
    board.since(m),
    new RegExp(
      [
        'I: Primary image: magic=unset, swap_type=0x1, copy_done=0x3, image_ok=0x3',
        'I: Secondary image: magic=good, swap_type=0x2, copy_done=0x3, image_ok=0x3',
        'I: Boot source: none',
        'I: Image index: 0, Swap type: test',
        'I: Starting swap using move algorithm\\.',
        'I: Bootloader chainload address offset: 0xc000',
      ].join('\n'),
    ),
  );
  await board.powerOff();
  const m2 = board.mark();
  board.device.powerOn();
  await board.waitFor(/Firmware version 1\.1\.0/, m2);
  // fixup_revert logs the secondary state a second time, as in the nRF9160 revert log.
  assert.match(
    board.since(m2),
    /Primary image: magic=good, swap_type=0x2, copy_done=0x1, image_ok=0x3\nI: Secondary image: magic=unset[^\n]*\nI: Boot source: none\nI: Image index: 0, Swap type: revert\nI: Starting swap using move algorithm\.\nI: Secondary image: magic=unset[^\n]*\n/,
  );
  assert.match(board.inspect().detail, /image_ok=0x1/);
  await board.powerOff();
  const m3 = board.mark();
  board.device.powerOn();
  await board.waitFor(VERSION, m3);
  assert.match(board.since(m3), /Swap type: none[\s\S]*Firmware version 1\.1\.0/);
});

test('move: a confirmed candidate stays', async () => {
  const board = new Board(MOVE);
  board.install(BASELINE);
  const server = await serve(board.image({ ...CANDIDATE, confirm: 'self' }));
  board.device.powerOn();
  await board.waitFor(/Firmware version 1\.1\.0/);
  board.send(`ota ${server.url}`);
  await board.waitFor(/Image confirmed/);
  await board.powerOff();
  const m = board.mark();
  board.device.powerOn();
  await board.waitFor(VERSION, m);
  assert.match(board.since(m), /Boot source: none\nI: Image index: 0, Swap type: none[\s\S]*Firmware version 1\.2\.0/);
});

test('move: clean and torn cuts over the test swap and the revert never brick, and the baseline survives', async (t) => {
  const config = { ...SWEEP_CONFIG, ...MOVE };
  const snaps = await capture(config);
  const board = new Board(config);
  const swapOps = await opsFrom(board, snaps.pending);
  const revertOps = await opsFrom(board, snaps.trial);
  t.diagnostic(`move: test swap ${swapOps} flash ops, revert ${revertOps}`);
  const bad: string[] = [];
  let perm = 0;
  for (const [what, snap, total, ok] of [
    ['swap', snaps.pending, swapOps, ['1.1.0', '1.2.0']],
    ['revert', snaps.trial, revertOps, ['1.1.0']],
  ] as const) {
    for (const torn of [false, true]) {
      for (const n of indices(total, FULL ? 1 : 3, torn ? 1 : 0)) {
        const r = await cutAt(board, snap, n, torn);
        if (!(ok as readonly string[]).includes(r.recovery) || r.after !== '1.1.0' || r.dirty) {
          bad.push(`${what} N=${n}${torn ? ' torn' : ''}: ${r.recovery} then ${r.after}, ${r.dirty} dirty`);
        }
        if (what === 'revert' && /Swap type: perm/.test(r.recoveryLog)) perm++;
      }
    }
  }
  assert.deepEqual(bad, []);
  // As observed on real MCUboot: an early cut in a move revert turns it into a permanent swap.
  assert.ok(perm > 0, 'no revert turned into "Swap type: perm"');
});

test('move: the swap-not-resumed and record-before-copy mutants fail the sweep', async () => {
  for (const mutant of ['swap-not-resumed', 'record-before-copy']) {
    const bad = await sweepFailures({ ...MOVE, mutant }, 9);
    assert.ok(bad.length > 0, `${mutant} survived every cut`);
  }
});
