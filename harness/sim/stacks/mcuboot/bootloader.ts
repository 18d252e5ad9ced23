// One run of the MCUboot bootloader (Zephyr port, swap using scratch): find interrupted swap
// status and resume it, or decide a fresh swap from the trailers, validate, swap, then validate
// the primary slot and jump to it. Console strings follow boot/zephyr/main.c and bootutil.
import type { DeviceContext } from '../../stack.ts';
import type { Layout } from './layout.ts';
import type { Mutation } from './mutants.ts';
import { checkImage, formatVersion, imageSizeInSlot } from './image.ts';
import { SwapType, formatSwapState, readSwapState, swapTypeFromTable, swapTypeName } from './trailer.ts';
import { readProgress, runSwap, statusSource } from './swap-scratch.ts';

export const MCUBOOT_VERSION = '2.1.0';
export const ZEPHYR_VERSION = '3.7.0';
/** Simulated SHA256 throughput of a small MCU, bytes per simulated millisecond. */
const HASH_BYTES_PER_MS = 2000;

export type BootOutcome = 'jump' | 'halt';

export async function runBootloader(ctx: DeviceContext, layout: Layout, mut: Mutation): Promise<BootOutcome> {
  const { flash } = ctx;
  const inf = (s: string) => ctx.print(`I: ${s}`);
  const err = (s: string) => ctx.print(`E: ${s}`);
  const hash = !mut.has('no-hash-check');

  ctx.print(`*** Booting MCUboot v${MCUBOOT_VERSION} ***`);
  ctx.print(`*** Using Zephyr OS build v${ZEPHYR_VERSION} ***`);
  inf('Starting bootloader');

  const primary = readSwapState(flash, layout.primary);
  const scratch = readSwapState(flash, layout.scratch);
  inf(formatSwapState('Primary image', primary));
  inf(formatSwapState('Scratch', scratch));
  const source = statusSource(primary, scratch);
  inf(`Boot source: ${source === 'primary' ? 'primary slot' : source}`);

  // A resume takes its type from the saved swap_info and never consults the table, so it prints
  // no "Swap type:" line.
  const progress = mut.has('swap-not-resumed') ? null : readProgress(flash, layout, source);
  if (progress) {
    inf('Starting swap using scratch algorithm.');
    await runSwap(ctx, layout, mut, progress);
  } else {
    const secondary = readSwapState(flash, layout.secondary);
    let type = swapTypeFromTable(primary, secondary, { revert: !mut.has('revert-skipped') });
    inf(`Image index: 0, Swap type: ${swapTypeName(type)}`);
    if (type === SwapType.TEST || type === SwapType.PERM) {
      const check = checkImage(flash, layout.secondary.off, layout.maxImageSize, { hash });
      await ctx.sleep(check.ok ? check.size / HASH_BYTES_PER_MS : 1);
      if (!check.ok) {
        // An erased header is "no image", not an invalid one: nothing to report or scramble.
        if (!check.erased) {
          err('Image in the secondary slot is not valid!');
          await scrambleSecondary(ctx, layout);
        }
        type = SwapType.NONE;
      }
    }
    if (type !== SwapType.NONE) {
      const swapSize = Math.max(
        imageSizeInSlot(flash, layout.primary.off, layout.maxImageSize),
        imageSizeInSlot(flash, layout.secondary.off, layout.maxImageSize),
      );
      inf('Starting swap using scratch algorithm.');
      await runSwap(ctx, layout, mut, { type, swapSize, nextStep: 0 });
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

/** Make a rejected image unbootable and its request unreadable: erase its header and trailer. */
async function scrambleSecondary(ctx: DeviceContext, layout: Layout): Promise<void> {
  const { secondary, sectorSize } = layout;
  await ctx.flash.erase(secondary.off, sectorSize);
  await ctx.flash.erase(secondary.off + secondary.size - sectorSize, sectorSize);
}
