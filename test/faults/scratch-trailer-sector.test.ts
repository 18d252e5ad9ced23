// Swap using scratch when the image reaches the trailer sector (MCUboot v2.x's other branch): that
// sector travels through scratch, its first two status records live on scratch next to a copy of
// the trailer, and the primary trailer is rebuilt from it. Every cut point, clean and torn, of the
// update and its revert must still end on the baseline; and the usual branch (an image short of the
// trailer sector) never writes status to scratch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordUpdate } from '../../harness/faults/record.ts';
import { sweep } from '../../harness/faults/sweep.ts';
import { summarizeSweep, sweepTable } from '../../harness/faults/summary.ts';
import { layoutFor } from '../../harness/sim/stacks/mcuboot/layout.ts';
import { smallRig, withBoard } from './helpers.ts';

test('scratch, image reaching the trailer sector: every cut point ends on the baseline', async (t) => {
  // 32 KiB slots: the trailer sector starts at 28 KiB; header 512 + body + 40 bytes of TLVs.
  const rig = smallRig({ candidateSize: 29000 });
  const layout = layoutFor(rig.boards[0]!.sim!);
  const rec = await withBoard(rig, (board) => recordUpdate(board, { flow: 'withhold', baseline: board.images.baseline!, candidate: board.images.candidate! }));
  assert.equal(rec.result.outcome, 'baseline', rec.result.boots.join(' → '));
  const scratch = layout.scratch!;
  const onScratch = rec.ops.filter((o) => o.kind === 'program' && o.addr >= scratch.off && o.addr < scratch.off + scratch.size);
  const statusOff = scratch.off + scratch.size - layout.trailerSize;
  assert.ok(onScratch.some((o) => o.addr === statusOff), 'record 0 of the trailer sector is kept on scratch');
  const r = await sweep(rec);
  t.diagnostic(sweepTable(summarizeSweep(r)));
  assert.equal(r.covered, r.total);
  assert.deepEqual(r.failures, []);
});

test('scratch, image short of the trailer sector: status is in the primary from record 0', async () => {
  const rig = smallRig();
  const layout = layoutFor(rig.boards[0]!.sim!);
  const rec = await withBoard(rig, (board) => recordUpdate(board, { flow: 'withhold', baseline: board.images.baseline!, candidate: board.images.candidate! }));
  const scratch = layout.scratch!;
  const statusOff = scratch.off + scratch.size - layout.trailerSize;
  const swap = rec.ops.filter((o) => o.phase === 'swap');
  assert.ok(!swap.some((o) => o.kind === 'program' && o.addr >= statusOff && o.addr < statusOff + 3 * layout.writeSize), 'no status record on scratch');
  // The first operations of the swap: erase scratch, temporary trailer (swap_info, swap_size,
  // magic), erase the primary trailer sector, the same three on the primary, erase scratch again.
  const primaryTrailer = layout.primary.off + layout.primary.size - layout.sectorSize;
  assert.deepEqual(
    swap.slice(0, 9).map((o) => `${o.kind} ${o.addr >= scratch.off ? 'scratch' : o.addr >= primaryTrailer ? 'primary-trailer' : 'other'}`),
    ['erase scratch', 'program scratch', 'program scratch', 'program scratch', 'erase primary-trailer', 'program primary-trailer', 'program primary-trailer', 'program primary-trailer', 'erase scratch'],
  );
});
