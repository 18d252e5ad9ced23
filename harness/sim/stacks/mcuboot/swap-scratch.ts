// Swap using scratch, resumable after a power cut at any flash operation.
//
// Regions are single sectors, processed from the slot's last sector (which holds the trailers, so
// only the bytes before the trailer move) down to sector 0. Each region takes three steps, and
// each step first erases its destination, so redoing a step after a cut is always safe:
//   s0  scratch   ← secondary[i]     (first region: scratch trailer written before the copy)
//   s1  secondary[i] ← primary[i]
//   s2  primary[i]   ← scratch
// After each step a status record (k = ordinal * 3 + step) is written. While the last sector is in
// flight the primary trailer is being rebuilt, so the first two records live on scratch, next to a
// copy of swap_info and swap_size; the primary gets its trailer back at the end of that region.
import type { DeviceFlash } from '../../stack.ts';
import { BOOT_STATUS_STATE_COUNT, type Area, type Layout } from './layout.ts';
import type { Mutation } from './mutants.ts';
import {
  Flag,
  SwapType,
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

/**
 * Where an interrupted swap left its status (swap_scratch.c's table). Rows 1–2 require scratch not
 * to be good: while the last sector is in flight the primary still looks finished or fresh, and
 * only scratch knows better.
 */
export function statusSource(primary: SwapState, scratch: SwapState): StatusSource {
  if (primary.magic === 'good' && scratch.magic !== 'good' && primary.copyDone === Flag.SET) return 'none';
  if (primary.magic === 'good' && scratch.magic !== 'good' && primary.copyDone === Flag.UNSET) return 'primary';
  if (scratch.magic === 'good') return 'scratch';
  if (primary.magic === 'unset' && primary.copyDone === Flag.UNSET) return 'primary';
  return 'none';
}

/** Sector indices in processing order: the trailer sector first, then image sectors downwards. */
export function planRegions(layout: Layout, swapSize: number): number[] {
  const last = layout.primarySectors - 1;
  const used = Math.min(Math.ceil(swapSize / layout.sectorSize), last);
  const regions = [last];
  for (let i = used - 1; i >= 0; i--) regions.push(i);
  return regions;
}

function scratchArea(layout: Layout): Area {
  if (!layout.scratch) throw new Error('swap using scratch needs a scratch area');
  return layout.scratch;
}

export const swapScratch: SwapAlgorithm = {
  name: 'scratch',

  statusSource(ctx, layout) {
    const primary = readSwapState(ctx.flash, layout.primary);
    const scratch = readSwapState(ctx.flash, scratchArea(layout));
    ctx.print(`I: ${formatSwapState('Primary image', primary)}`);
    ctx.print(`I: ${formatSwapState('Scratch', scratch)}`);
    return statusSource(primary, scratch);
  },

  readStatus(flash, layout, source): SwapStatus | null {
    if (source === 'none') return null;
    const area = source === 'scratch' ? scratchArea(layout) : layout.primary;
    // Scratch only ever holds the first two records.
    const last = lastStatusRecord(flash, layout, area, source === 'scratch' ? 2 : layout.primarySectors * BOOT_STATUS_STATE_COUNT);
    let swapSize = readSwapSize(flash, area);
    if (swapSize > layout.maxImageSize) swapSize = layout.maxImageSize; // erased/garbage: move everything
    return { type: readSwapState(flash, area).swapType, swapSize, nextStep: last < 0 ? null : last + 1 };
  },

  async run(ctx, layout, mut, type, swapSize, fromStep) {
    ctx.print('I: Starting swap using scratch algorithm.');
    await swapSectors(ctx.flash, layout, mut, type, swapSize, fromStep);
    return true;
  },
};

async function swapSectors(flash: DeviceFlash, layout: Layout, mut: Mutation, type: SwapType, swapSize: number, fromStep: number): Promise<void> {
  const { primary, secondary, sectorSize, trailerSize } = layout;
  const scratch = scratchArea(layout);
  const regions = planRegions(layout, swapSize);
  const total = regions.length * BOOT_STATUS_STATE_COUNT;
  const lastSector = layout.primarySectors - 1;
  const eraseScratch = () => flash.erase(scratch.off, scratch.size);
  const record = (area: Area, k: number) => writeStatusRecord(flash, layout, area, k);

  for (let k = fromStep; k < total; k++) {
    const ordinal = Math.floor(k / BOOT_STATUS_STATE_COUNT);
    const step = k % BOOT_STATUS_STATE_COUNT;
    const first = ordinal === 0;
    const sector = regions[ordinal]!;
    const off = sector * sectorSize;
    const len = sector === lastSector ? sectorSize - trailerSize : sectorSize;

    if (mut.has('copy-done-first') && step === 0 && ordinal === regions.length - 1 && ordinal > 0) await copyDoneEarly(flash, layout);

    let erase: () => Promise<void>;
    let move: () => Promise<void>;
    let persist: () => Promise<void>;
    if (step === 0) {
      erase = async () => {
        await eraseScratch();
        if (first) {
          // The type and size must survive the primary trailer's erase in s2; magic last. From
          // here on a cut restarts this swap from its saved type instead of asking the table.
          await writeSwapInfo(flash, layout, scratch, type);
          if (readSwapState(flash, secondary).imageOk === Flag.SET) await writeImageOk(flash, layout, scratch);
          await writeSwapSize(flash, layout, scratch, swapSize);
          await writeMagic(flash, layout, scratch);
        }
      };
      move = () => copyRegion(flash, secondary.off + off, scratch.off, len);
      persist = () => record(first ? scratch : primary, k);
    } else if (step === 1) {
      erase = () => flash.erase(secondary.off + off, sectorSize);
      move = () => copyRegion(flash, primary.off + off, secondary.off + off, len);
      persist = () => record(first ? scratch : primary, k);
    } else {
      erase = () => flash.erase(primary.off + off, sectorSize);
      move = () => copyRegion(flash, scratch.off, primary.off + off, len);
      persist = async () => {
        if (first) {
          // Rebuild the primary trailer from scratch's copy; magic makes it authoritative.
          await record(primary, 0);
          await record(primary, 1);
          const saved = readSwapState(flash, scratch);
          if (saved.imageOk === Flag.SET) await writeImageOk(flash, layout, primary);
          await writeSwapInfo(flash, layout, primary, type);
          await writeSwapSize(flash, layout, primary, swapSize);
          await writeMagic(flash, layout, primary);
        }
        await record(primary, k);
      };
    }
    await erase();
    if (mut.has('record-before-copy')) {
      await persist();
      if (len > 0) await move();
    } else {
      if (len > 0) await move();
      await persist();
    }
    // Scratch's trailer would otherwise still claim a swap in progress at every later boot.
    if (first && step === 2) await eraseScratch();
  }
}

