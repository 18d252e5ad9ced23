// Flash map of the simulated MCUboot board: bootloader, primary slot, secondary slot and, for
// swap using scratch, one scratch sector. Every other module derives addresses from here, so the
// geometry is checked once, loudly.
import type { SimConfig } from '../../../rig/schema.ts';

/** MCUboot's largest supported write alignment in this build: fixes the 16-byte magic format. */
export const BOOT_MAX_ALIGN = 8;
/** Status entries per slot (BOOT_MAX_IMG_SECTORS): caps the sectors a slot may have. */
export const BOOT_MAX_IMG_SECTORS = 128;
/** Three status records per sector (scratch: 3 states; move: 1 move + 2 swap states). */
export const BOOT_STATUS_STATE_COUNT = 3;
/** The bootloader partition of a typical Zephyr board; the primary slot starts after it. */
export const BOOTLOADER_SIZE = 0xc000;
export const MAGIC_SIZE = 16;

export type SwapAlgorithmName = 'scratch' | 'move';

export interface Area {
  readonly name: 'primary' | 'secondary' | 'scratch';
  readonly off: number;
  readonly size: number;
}

export interface Layout {
  readonly swap: SwapAlgorithmName;
  readonly sectorSize: number;
  readonly writeSize: number;
  /** The configured slot size: both slots for scratch; the secondary for move. */
  readonly slotSize: number;
  readonly flashSize: number;
  /** For move the primary has one sector more than the secondary (room to shift the image up). */
  readonly primary: Area;
  readonly secondary: Area;
  readonly scratch: Area | null;
  /** Bytes at the end of a slot (and of scratch) reserved for the trailer. */
  readonly trailerSize: number;
  /** Sectors at the end of a slot that hold (part of) the trailer. */
  readonly trailerSectors: number;
  /** Largest image (header + body + TLVs) the swap can move. */
  readonly maxImageSize: number;
  readonly primarySectors: number;
  readonly secondarySectors: number;
}

const cache = new Map<string, Layout>();

export function trailerSizeFor(writeSize: number): number {
  // magic + image_ok + copy_done + swap_info + swap_size, then the status records
  return MAGIC_SIZE + 4 * BOOT_MAX_ALIGN + BOOT_MAX_IMG_SECTORS * BOOT_STATUS_STATE_COUNT * writeSize;
}

export function layoutFor(config: SimConfig): Layout {
  const swap: SwapAlgorithmName = config.swap ?? 'scratch';
  if (swap !== 'scratch' && swap !== 'move') {
    throw new Error(`mcuboot simulator: sim.swap '${String(swap)}' is not implemented; use 'scratch' or 'move'`);
  }
  const sectorSize = config.sectorSize ?? 4096;
  const writeSize = config.writeSize ?? 8;
  const slotSize = config.slotSize ?? 131072;
  const key = `${swap}/${sectorSize}/${writeSize}/${slotSize}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const bad = (why: string): never => {
    throw new Error(`mcuboot simulator: invalid flash geometry (swap ${swap}, slotSize ${slotSize}, sectorSize ${sectorSize}, writeSize ${writeSize}): ${why}`);
  };
  if (![1, 2, 4, 8].includes(writeSize)) bad(`writeSize must be 1, 2, 4 or 8 (BOOT_MAX_ALIGN is ${BOOT_MAX_ALIGN})`);
  if (sectorSize % writeSize) bad('sectorSize must be a multiple of writeSize');
  if (slotSize % sectorSize) bad('slotSize must be a multiple of sectorSize');
  const secondarySectors = slotSize / sectorSize;
  const primarySectors = secondarySectors + (swap === 'move' ? 1 : 0);
  if (primarySectors > BOOT_MAX_IMG_SECTORS) bad(`the primary slot has ${primarySectors} sectors; MCUboot allows at most ${BOOT_MAX_IMG_SECTORS}`);
  const trailerSize = trailerSizeFor(writeSize);
  const trailerSectors = Math.ceil(trailerSize / sectorSize);
  // Scratch is one sector and must hold a whole trailer while the last sector is swapped.
  if (swap === 'scratch' && trailerSectors > 1) bad(`the ${trailerSize}-byte trailer does not fit one sector (the scratch area)`);
  // Move: the image must end before the first primary sector holding the trailer, with one
  // sector to spare for the shift.
  const maxImageSize = swap === 'scratch' ? slotSize - trailerSize : (primarySectors - trailerSectors - 1) * sectorSize;
  if (maxImageSize < sectorSize) bad('no room for an image next to the trailer');

  const primaryOff = Math.ceil(BOOTLOADER_SIZE / sectorSize) * sectorSize;
  const primary: Area = { name: 'primary', off: primaryOff, size: primarySectors * sectorSize };
  const secondary: Area = { name: 'secondary', off: primary.off + primary.size, size: slotSize };
  const scratch: Area | null = swap === 'scratch' ? { name: 'scratch', off: secondary.off + secondary.size, size: sectorSize } : null;
  const layout: Layout = {
    swap,
    sectorSize,
    writeSize,
    slotSize,
    flashSize: scratch ? scratch.off + scratch.size : secondary.off + secondary.size,
    primary,
    secondary,
    scratch,
    trailerSize,
    trailerSectors,
    maxImageSize,
    primarySectors,
    secondarySectors,
  };
  cache.set(key, layout);
  return layout;
}
