// Swap using move (the nRF Connect SDK default), resumable after a power cut at any flash op.
//
// With k image sectors: first every primary sector moves up by one, from the top (k−1 → k) down
// to (0 → 1), one status record each. Then for i = 1..k two steps, each erasing its destination:
//   s0  primary[i−1]   ← secondary[i−1]
//   s1  secondary[i−1] ← primary[i]      (the old sector i−1, moved up earlier)
// All status lives in the primary trailer, which sits in the primary's extra last sector: 128
// move records, then 2 × 128 swap records. The secondary trailer is erased when the first move
// starts, so from then on only the primary trailer knows a swap is under way.
import type { DeviceContext, DeviceFlash } from '../../stack.ts';
import { BOOT_MAX_IMG_SECTORS, BOOT_STATUS_STATE_COUNT, type Layout } from './layout.ts';
import {
  Flag,
  SwapType,
  eraseTrailerSectors,
  formatSwapState,
  lastStatusRecord,
  readSwapSize,
  readSwapState,
  writeImageOk,
  writeMagic,
  writeStatusRecord,
  writeSwapInfo,
  writeSwapSize,
  type SwapState,
} from './trailer.ts';
import { copyDoneEarly, copyRegion, type StatusSource, type SwapAlgorithm, type SwapStatus } from './swap.ts';

const MOVE_RECORDS = BOOT_MAX_IMG_SECTORS;

/** swap_move.c: status is in the primary only while its trailer is good, unfinished, and alone. */
export function moveStatusSource(primary: SwapState, secondary: SwapState): StatusSource {
  return primary.magic === 'good' && primary.copyDone === Flag.UNSET && secondary.magic !== 'good' ? 'primary' : 'none';
}

/** Image sectors to move (find_last_idx): at least one. */
export function lastIdx(layout: Layout, swapSize: number): number {
  return Math.max(1, Math.ceil(swapSize / layout.sectorSize));
}

export const swapMove: SwapAlgorithm = {
  name: 'move',

  statusSource(ctx, layout) {
    const primary = readSwapState(ctx.flash, layout.primary);
    const secondary = readSwapState(ctx.flash, layout.secondary);
    ctx.print(`I: ${formatSwapState('Primary image', primary)}`);
    ctx.print(`I: ${formatSwapState('Secondary image', secondary)}`);
    return moveStatusSource(primary, secondary);
  },

  readStatus(flash, layout, source): SwapStatus | null {
    if (source !== 'primary') return null;
    const area = layout.primary;
    let swapSize = readSwapSize(flash, area);
    if (swapSize > layout.maxImageSize) swapSize = layout.maxImageSize;
    const k = lastIdx(layout, swapSize);
    const last = lastStatusRecord(flash, layout, area, BOOT_MAX_IMG_SECTORS * BOOT_STATUS_STATE_COUNT);
    let nextStep: number | null = null;
    if (last >= MOVE_RECORDS) nextStep = Math.min(k + (last - MOVE_RECORDS) + 1, 3 * k);
    else if (last >= 0) nextStep = Math.min(last + 1, k);
    return { type: readSwapState(flash, area).swapType, swapSize, nextStep };
  },

  async run(ctx, layout, mut, type, swapSize, fromStep) {
    const { flash } = ctx;
    const { primary, secondary, sectorSize } = layout;
    ctx.print('I: Starting swap using move algorithm.');
    const k = lastIdx(layout, swapSize);
    if (fromStep === 0) {
      const firstTrailerIdx = layout.primarySectors - layout.trailerSectors;
      if (k >= firstTrailerIdx) {
        ctx.print('W: Not enough free space to run swap upgrade');
        ctx.print(`W: required ${(k + 1) * sectorSize} bytes but only ${firstTrailerIdx * sectorSize} are available`);
        return false;
      }
    }
    if (fromStep === 0 && type === SwapType.REVERT) await fixupRevert(ctx, layout, swapSize);

    const record = (index: number, state: number) => writeStatusRecord(flash, layout, primary, index, state);
    for (let t = fromStep; t < 3 * k; t++) {
      let erase: () => Promise<void>;
      let move: () => Promise<void>;
      let persist: () => Promise<void>;
      if (t < k) {
        const idx = k - t;
        if (t === 0) await startMove(flash, layout, type, swapSize);
        erase = () => flash.erase(primary.off + idx * sectorSize, sectorSize);
        move = () => copyRegion(flash, layout, primary.off + (idx - 1) * sectorSize, primary.off + idx * sectorSize, sectorSize);
        persist = () => record(t, 1);
      } else {
        const u = t - k;
        const i = Math.floor(u / 2) + 1;
        const step = u % 2;
        if (mut.has('copy-done-first') && step === 0 && i === k && k > 1) await copyDoneEarly(flash, layout);
        if (step === 0) {
          erase = () => flash.erase(primary.off + (i - 1) * sectorSize, sectorSize);
          move = () => copyRegion(flash, layout, secondary.off + (i - 1) * sectorSize, primary.off + (i - 1) * sectorSize, sectorSize);
        } else {
          erase = () => flash.erase(secondary.off + (i - 1) * sectorSize, sectorSize);
          move = () => copyRegion(flash, layout, primary.off + i * sectorSize, secondary.off + (i - 1) * sectorSize, sectorSize);
        }
        persist = () => record(MOVE_RECORDS + u, step + 1);
      }
      await erase();
      if (mut.has('record-before-copy')) {
        await persist();
        await move();
      } else {
        await move();
        await persist();
      }
    }
    return true;
  },
};

/**
 * Before the first move: give the primary a fresh trailer describing this swap (unless it already
 * has one), then erase the secondary trailer, whose request is now consumed.
 */
async function startMove(flash: DeviceFlash, layout: Layout, type: SwapType, swapSize: number): Promise<void> {
  const { primary, secondary } = layout;
  const sec = readSwapState(flash, secondary);
  if (moveStatusSource(readSwapState(flash, primary), sec) !== 'primary') {
    await eraseTrailerSectors(flash, layout, primary);
    await writeSwapInfo(flash, layout, primary, type);
    if (sec.imageOk === Flag.SET) await writeImageOk(flash, layout, primary);
    await writeSwapSize(flash, layout, primary, swapSize);
    await writeMagic(flash, layout, primary);
  }
  await eraseTrailerSectors(flash, layout, secondary);
}

/**
 * A revert must rewrite the primary trailer before its first status record; a cut in between
 * would lose the revert. So first make the secondary look like a permanent request: after such a
 * cut the next boot decides "perm" and swaps the old image back for good.
 */
async function fixupRevert(ctx: DeviceContext, layout: Layout, swapSize: number): Promise<void> {
  const { flash } = ctx;
  const sec = readSwapState(flash, layout.secondary);
  ctx.print(`I: ${formatSwapState('Secondary image', sec)}`);
  if (sec.magic !== 'unset') return;
  await eraseTrailerSectors(flash, layout, layout.secondary);
  await writeImageOk(flash, layout, layout.secondary);
  await writeSwapSize(flash, layout, layout.secondary, swapSize);
  await writeMagic(flash, layout, layout.secondary);
}
