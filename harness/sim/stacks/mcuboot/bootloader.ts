// One run of the MCUboot bootloader (Zephyr port): find interrupted swap status and resume it, or
// decide a swap from the trailers, validate, swap, then validate the primary slot and jump to it.
// Console strings follow boot/zephyr/main.c and bootutil.
import type { DeviceContext } from '../../stack.ts';
import type { Layout } from './layout.ts';
import type { Mutation } from './mutants.ts';
import { checkImage, formatVersion, imageSizeInSlot } from './image.ts';
import { Flag, SwapType, eraseTrailerSectors, readSwapState, swapTypeFromTable, swapTypeName, writeImageOk } from './trailer.ts';
import { finalizeSwap, type SwapAlgorithm } from './swap.ts';
import { swapScratch } from './swap-scratch.ts';
import { swapMove } from './swap-move.ts';

export const ZEPHYR_VERSION = '3.7.0';
/** Simulated SHA256 throughput of a small MCU, bytes per simulated millisecond. */
const HASH_BYTES_PER_MS = 2000;

export type BootOutcome = 'jump' | 'halt';

export async function runBootloader(ctx: DeviceContext, layout: Layout, mut: Mutation): Promise<BootOutcome> {
  const { flash } = ctx;
  const inf = (s: string) => ctx.print(`I: ${s}`);
  const err = (s: string) => ctx.print(`E: ${s}`);
  const hash = !mut.has('no-hash-check');
  const algo: SwapAlgorithm = layout.swap === 'move' ? swapMove : swapScratch;
  const decide = (): SwapType => {
    const type = swapTypeFromTable(readSwapState(flash, layout.primary), readSwapState(flash, layout.secondary), {
      revert: !mut.has('revert-skipped'),
    });
    inf(`Image index: 0, Swap type: ${swapTypeName(type)}`);
    return type;
  };

  ctx.print(`*** Booting MCUboot v${layout.bootloaderVersion} ***`);
  ctx.print(`*** Using Zephyr OS build v${ZEPHYR_VERSION} ***`);
  inf('Starting bootloader');

  const source = algo.statusSource(ctx, layout);
  inf(`Boot source: ${source === 'primary' ? 'primary slot' : source}`);
  const status = mut.has('swap-not-resumed') ? null : algo.readStatus(flash, layout, source);

  if (status && status.nextStep !== null) {
    // A resume takes its type from swap_info and never consults the table: no "Swap type:" line.
    await algo.run(ctx, layout, mut, status.type, status.swapSize, status.nextStep);
    await finalizeSwap(flash, layout, status.type);
  } else {
    // Status trailer written but no step recorded yet: restart that swap, again without the table.
    const fromTrailer = status !== null && status.type !== SwapType.NONE;
    let type = fromTrailer ? status.type : decide();
    if (type === SwapType.TEST || type === SwapType.PERM || type === SwapType.REVERT) {
      const check = checkImage(flash, layout.secondary.off, layout.maxImageSize, { hash });
      await ctx.sleep(check.ok ? check.size / HASH_BYTES_PER_MS : 1);
      if (!check.ok && check.erased) {
        // No image, but maybe a stale trailer that would block the next upload: drop it.
        await eraseTrailerSectors(flash, layout, layout.secondary);
        if (layout.swap === 'move' && (type === SwapType.REVERT || (!fromTrailer && decide() === SwapType.REVERT))) {
          await eraseTrailerSectors(flash, layout, layout.primary);
          inf('Cleared image 0 primary slot trailer due to stuck revert');
        }
        type = SwapType.NONE;
      } else if (!check.ok) {
        err('Image in the secondary slot is not valid!');
        await scrambleSecondary(ctx, layout);
        // FAIL: pretend a revert just happened so the primary is not tried again.
        if (fromTrailer && readSwapState(flash, layout.primary).imageOk === Flag.UNSET) await writeImageOk(flash, layout, layout.primary);
        type = SwapType.NONE;
      }
    }
    if (type !== SwapType.NONE) {
      const swapSize = Math.max(
        imageSizeInSlot(flash, layout.primary.off, layout.maxImageSize),
        imageSizeInSlot(flash, layout.secondary.off, layout.maxImageSize),
      );
      if (await algo.run(ctx, layout, mut, type, swapSize, 0)) await finalizeSwap(flash, layout, type);
    }
  }

  // MCUBOOT_VALIDATE_PRIMARY_SLOT: never jump into an image whose hash does not match.
  const check = checkImage(flash, layout.primary.off, layout.maxImageSize, { hash });
  await ctx.sleep(check.ok ? check.size / HASH_BYTES_PER_MS : 1);
  if (!check.ok) {
    if (!check.erased) err('Image in the primary slot is not valid!');
    err('Unable to find bootable image');
    return 'halt';
  }
  inf(`Bootloader chainload address offset: 0x${layout.primary.off.toString(16)}`);
  inf(`Image version: v${formatVersion(check.header.version)}`);
  inf('Jumping to the first image slot');
  return 'jump';
}

/** Make a rejected image unbootable and its request unreadable (MCUBOOT_MINIMAL_SCRAMBLE-style). */
async function scrambleSecondary(ctx: DeviceContext, layout: Layout): Promise<void> {
  await ctx.flash.erase(layout.secondary.off, layout.sectorSize);
  await eraseTrailerSectors(ctx.flash, layout, layout.secondary);
}
