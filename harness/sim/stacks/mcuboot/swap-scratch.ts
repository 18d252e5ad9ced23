// Swap using scratch as MCUboot v2.x does it (swap_scratch.c), resumable after a power cut at any
// flash operation. Regions are single sectors (scratch is one sector), from the last sector the
// image needs down to sector 0. Each region takes three steps, each erasing its destination first,
// so redoing a step after a cut is safe:
//   s0  scratch      ← secondary[i]
//   s1  secondary[i] ← primary[i]
//   s2  primary[i]   ← scratch
// and after each step a status record (k = ordinal * 3 + step). The first region also moves the
// trailer. When the image does not reach the trailer sector (the usual case), s0 first writes a
// temporary trailer to scratch (it holds swap_info while the primary trailer is erased), erases
// and re-initialises the primary trailer, erases scratch again, and all status lives in the
// primary from record 0; s1 erases the secondary trailer. Only when the image reaches the trailer
// sector does that sector travel through scratch, with records 0-1 kept on scratch next to its
// trailer until s2 rebuilds the primary trailer from it and scratch is erased.
import type { DeviceFlash } from '../../stack.ts';
import { BOOT_STATUS_STATE_COUNT, type Area, type Layout } from './layout.ts';
import type { Mutation } from './mutants.ts';
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

/** Sector indices in processing order: the last one the image needs (find_last_sector_idx) down to 0. */
export function planRegions(layout: Layout, swapSize: number): number[] {
  const last = Math.min(Math.ceil(swapSize / layout.sectorSize), layout.primarySectors) - 1;
  const regions: number[] = [];
  for (let i = last; i >= 0; i--) regions.push(i);
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

/** swap_status_init: the swap's type, the secondary's image_ok, its size, then the magic. */
async function statusInit(flash: DeviceFlash, layout: Layout, area: Area, type: SwapType, swapSize: number): Promise<void> {
  if (type !== SwapType.NONE) await writeSwapInfo(flash, layout, area, type);
  if (readSwapState(flash, layout.secondary).imageOk === Flag.SET) await writeImageOk(flash, layout, area);
  await writeSwapSize(flash, layout, area, swapSize);
  await writeMagic(flash, layout, area);
}

/** boot_erase_region: one erase per sector. */
async function eraseSectors(flash: DeviceFlash, layout: Layout, off: number, len: number): Promise<void> {
  for (let a = off; a < off + len; a += layout.sectorSize) await flash.erase(a, layout.sectorSize);
}

async function swapSectors(flash: DeviceFlash, layout: Layout, mut: Mutation, type: SwapType, swapSize: number, fromStep: number): Promise<void> {
  const { primary, secondary, sectorSize, trailerSize } = layout;
  const scratch = scratchArea(layout);
  const regions = planRegions(layout, swapSize);
  const total = regions.length * BOOT_STATUS_STATE_COUNT;
  const firstTrailerOff = (layout.primarySectors - layout.trailerSectors) * sectorSize;
  const eraseScratch = () => eraseSectors(flash, layout, scratch.off, scratch.size);
  const scratchStatusOff = scratch.size - trailerSize;

  for (let k = fromStep; k < total; k++) {
    const ordinal = Math.floor(k / BOOT_STATUS_STATE_COUNT);
    const step = k % BOOT_STATUS_STATE_COUNT;
    const first = ordinal === 0;
    const off = regions[ordinal]! * sectorSize;
    // A region reaching the trailer sector copies only the bytes before the trailer.
    const len = off + sectorSize > firstTrailerOff ? Math.min(layout.slotSize - off - trailerSize, scratchStatusOff) : sectorSize;
    const useScratch = first && len !== sectorSize;
    const record = () => writeStatusRecord(flash, layout, useScratch && step < 2 ? scratch : primary, k);

    if (mut.has('copy-done-first') && step === 0 && ordinal === regions.length - 1 && ordinal > 0) await copyDoneEarly(flash, layout);

    let erase: () => Promise<void>;
    let move: () => Promise<void>;
    let persist: () => Promise<void> = record;
    if (step === 0) {
      erase = async () => {
        await eraseScratch();
        if (!first) return;
        // A temporary trailer: swap_info must survive the primary trailer's erase.
        await statusInit(flash, layout, scratch, type, swapSize);
        if (useScratch) return;
        await eraseTrailerSectors(flash, layout, primary);
        await statusInit(flash, layout, primary, type, swapSize);
        await eraseScratch();
      };
      move = () => copyRegion(flash, layout, secondary.off + off, scratch.off, len);
    } else if (step === 1) {
      erase = async () => {
        if (first) await eraseTrailerSectors(flash, layout, secondary); // only the primary keeps the state
        const n = useScratch ? Math.max(0, firstTrailerOff - off) : sectorSize;
        await eraseSectors(flash, layout, secondary.off + off, n);
      };
      move = () => copyRegion(flash, layout, primary.off + off, secondary.off + off, len);
    } else {
      erase = async () => {
        if (useScratch) await eraseTrailerSectors(flash, layout, primary);
        await eraseSectors(flash, layout, primary.off + off, useScratch ? Math.max(0, firstTrailerOff - off) : sectorSize);
      };
      move = () => copyRegion(flash, layout, scratch.off, primary.off + off, len);
      if (useScratch) {
        persist = async () => {
          // The primary trailer rebuilt from scratch's: records 0-1, flags, size; magic last.
          await copyRegion(flash, layout, scratch.off + scratchStatusOff, primary.off + off + len, (BOOT_STATUS_STATE_COUNT - 1) * layout.writeSize);
          const saved = readSwapState(flash, scratch);
          if (saved.imageOk === Flag.SET) await writeImageOk(flash, layout, primary);
          if (saved.swapType !== SwapType.NONE) await writeSwapInfo(flash, layout, primary, saved.swapType);
          await writeSwapSize(flash, layout, primary, swapSize);
          await writeMagic(flash, layout, primary);
          await record();
          // A stale scratch trailer would read as a swap in progress at the next boot.
          await eraseScratch();
        };
      }
    }
    await erase();
    if (mut.has('record-before-copy')) {
      await persist();
      if (len > 0) await move();
    } else {
      if (len > 0) await move();
      await persist();
    }
  }
}
