// What the bootloader needs from a swap algorithm (scratch or move), and the pieces they share.
import type { DeviceContext, DeviceFlash } from '../../stack.ts';
import type { Layout } from './layout.ts';
import type { Mutation } from './mutants.ts';
import { Flag, SwapType, readSwapState, writeCopyDone, writeImageOk } from './trailer.ts';

export type StatusSource = 'none' | 'primary' | 'scratch';

/** What the trailer holding the swap status says (swap_read_status). */
export interface SwapStatus {
  /** From that trailer's swap_info: the type a resume or restart continues with. */
  type: SwapType;
  swapSize: number;
  /** First step not known to be complete; null when no status record was written yet. */
  nextStep: number | null;
}

export interface SwapAlgorithm {
  readonly name: 'scratch' | 'move';
  /** Read and log the trailers this algorithm consults; say where an interrupted swap keeps status. */
  statusSource(ctx: DeviceContext, layout: Layout): StatusSource;
  readStatus(flash: DeviceFlash, layout: Layout, source: StatusSource): SwapStatus | null;
  /**
   * Run (or continue) a swap from step `fromStep`; logs "Starting swap using … algorithm.".
   * Returns false when the algorithm refused to start (then nothing was written).
   */
  run(ctx: DeviceContext, layout: Layout, mut: Mutation, type: SwapType, swapSize: number, fromStep: number): Promise<boolean>;
}

/** boot_copy_region: through a RAM buffer of layout.copyChunk bytes; the destination must be erased. */
export async function copyRegion(flash: DeviceFlash, layout: Layout, from: number, to: number, len: number): Promise<void> {
  for (let o = 0; o < len; o += layout.copyChunk) {
    const n = Math.min(layout.copyChunk, len - o);
    await flash.program(to + o, flash.view(from + o, n));
  }
}

/** Write copy_done now if it is not yet set (used by the copy-done-first mutant). */
export async function copyDoneEarly(flash: DeviceFlash, layout: Layout): Promise<void> {
  if (readSwapState(flash, layout.primary).copyDone === Flag.UNSET) await writeCopyDone(flash, layout, layout.primary);
}

/** After any swap: TEST leaves image_ok for the app; PERM and REVERT are accepted by the bootloader. */
export async function finalizeSwap(flash: DeviceFlash, layout: Layout, type: SwapType): Promise<void> {
  const st = readSwapState(flash, layout.primary);
  if ((type === SwapType.PERM || type === SwapType.REVERT) && st.imageOk === Flag.UNSET) {
    await writeImageOk(flash, layout, layout.primary);
  }
  if (st.copyDone === Flag.UNSET) await writeCopyDone(flash, layout, layout.primary);
}
