// Swap using scratch, resumable after a power cut at any flash operation.
//
// Regions are single sectors, processed from the slot's last sector (which holds the trailers, so
// only the bytes before the trailer move) down to sector 0. Each region takes three steps, and
// each step first erases its destination, so redoing a step after a cut is always safe:
//   s0  scratch   ← secondary[i]
//   s1  secondary[i] ← primary[i]
//   s2  primary[i]   ← scratch
// After each step a status record (k = ordinal * 3 + step) is written. While the last sector is in
// flight the primary trailer is being rebuilt, so the first two records live on scratch, next to a
// copy of swap_info and swap_size; the primary gets its trailer back at the end of that region.
import type { DeviceContext } from '../../stack.ts';
import { BOOT_STATUS_STATE_COUNT, type Area, type Layout } from './layout.ts';
import type { Mutation } from './mutants.ts';
import {
  Flag,
  SwapType,
  lastStatusRecord,
  readSwapSize,
  readSwapState,
  writeCopyDone,
  writeImageOk,
  writeMagic,
  writeStatusRecord,
  writeSwapInfo,
  writeSwapSize,
  type SwapState,
} from './trailer.ts';

/** bootutil copies through a small RAM buffer, so a sector copy is many programs. */
export const COPY_CHUNK = 256;

export type StatusSource = 'none' | 'primary' | 'scratch';

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

export interface SwapProgress {
  type: SwapType;
  swapSize: number;
  /** First step not known to be complete. */
  nextStep: number;
}

/** Read the status left by an interrupted swap; null when no record was written (not a resume). */
export function readProgress(flash: DeviceContext['flash'], layout: Layout, source: StatusSource): SwapProgress | null {
  if (source === 'none') return null;
  const area = source === 'scratch' ? layout.scratch : layout.primary;
  // Scratch only ever holds the first two records.
  const last = lastStatusRecord(flash, layout, area, source === 'scratch' ? 2 : layout.sectorsPerSlot * BOOT_STATUS_STATE_COUNT);
  if (last < 0) return null;
  const state = readSwapState(flash, area);
  let swapSize = readSwapSize(flash, area);
  if (swapSize > layout.maxImageSize) swapSize = layout.maxImageSize; // erased/garbage: move everything
  return { type: state.swapType, swapSize, nextStep: last + 1 };
}

/** Sector indices in processing order: the trailer sector first, then image sectors downwards. */
export function planRegions(layout: Layout, swapSize: number): number[] {
  const last = layout.sectorsPerSlot - 1;
  const used = Math.min(Math.ceil(swapSize / layout.sectorSize), last);
  const regions = [last];
  for (let i = used - 1; i >= 0; i--) regions.push(i);
  return regions;
}

export async function runSwap(ctx: DeviceContext, layout: Layout, mut: Mutation, p: SwapProgress): Promise<void> {
  const { flash } = ctx;
  const { primary, secondary, scratch, sectorSize, trailerSize } = layout;
  const regions = planRegions(layout, p.swapSize);
  const total = regions.length * BOOT_STATUS_STATE_COUNT;
  const lastSector = layout.sectorsPerSlot - 1;

  const copy = async (from: number, to: number, len: number): Promise<void> => {
    for (let o = 0; o < len; o += COPY_CHUNK) {
      const n = Math.min(COPY_CHUNK, len - o);
      await flash.program(to + o, flash.read(from + o, n));
    }
  };
  const eraseScratch = () => flash.erase(scratch.off, scratch.size);
  const record = (area: Area, k: number) => writeStatusRecord(flash, layout, area, k);

  for (let k = p.nextStep; k < total; k++) {
    const ordinal = Math.floor(k / BOOT_STATUS_STATE_COUNT);
    const step = k % BOOT_STATUS_STATE_COUNT;
    const first = ordinal === 0;
    const sector = regions[ordinal]!;
    const off = sector * sectorSize;
    const len = sector === lastSector ? sectorSize - trailerSize : sectorSize;

    if (mut.has('copy-done-first') && step === 0 && ordinal === regions.length - 1 && ordinal > 0) {
      if (readSwapState(flash, primary).copyDone === Flag.UNSET) await writeCopyDone(flash, layout, primary);
    }

    let erase: () => Promise<void>;
    let move: () => Promise<void>;
    let persist: () => Promise<void>;
    if (step === 0) {
      erase = eraseScratch;
      move = () => copy(secondary.off + off, scratch.off, len);
      persist = async () => {
        if (first) {
          // The type and size must survive the primary trailer's erase in s2; magic last.
          await writeSwapInfo(flash, layout, scratch, p.type);
          await writeSwapSize(flash, layout, scratch, p.swapSize);
          await writeMagic(flash, layout, scratch);
        }
        await record(first ? scratch : primary, k);
      };
    } else if (step === 1) {
      erase = () => flash.erase(secondary.off + off, sectorSize);
      move = () => copy(primary.off + off, secondary.off + off, len);
      persist = () => record(first ? scratch : primary, k);
    } else {
      erase = () => flash.erase(primary.off + off, sectorSize);
      move = () => copy(scratch.off, primary.off + off, len);
      persist = async () => {
        if (first) {
          // Rebuild the primary trailer from scratch's copy; magic makes it authoritative.
          await record(primary, 0);
          await record(primary, 1);
          await writeSwapInfo(flash, layout, primary, p.type);
          await writeSwapSize(flash, layout, primary, p.swapSize);
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
  await finalizeSwap(ctx, layout, p.type);
}

/** TEST leaves image_ok for the app to set; PERM and REVERT are accepted by the bootloader itself. */
async function finalizeSwap(ctx: DeviceContext, layout: Layout, type: SwapType): Promise<void> {
  const { flash } = ctx;
  const st = readSwapState(flash, layout.primary);
  if ((type === SwapType.PERM || type === SwapType.REVERT) && st.imageOk === Flag.UNSET) {
    await writeImageOk(flash, layout, layout.primary);
  }
  if (st.copyDone === Flag.UNSET) await writeCopyDone(flash, layout, layout.primary);
}
