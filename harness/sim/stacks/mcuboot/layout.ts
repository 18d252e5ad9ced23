// Flash map of the simulated MCUboot board: bootloader, primary slot, secondary slot, scratch.
// Every other module derives addresses from here, so the geometry is checked once, loudly.
import type { SimConfig } from '../../../rig/schema.ts';

/** MCUboot's largest supported write alignment in this build: fixes the 16-byte magic format. */
export const BOOT_MAX_ALIGN = 8;
/** Status entries per slot (BOOT_MAX_IMG_SECTORS): caps the sectors a slot may have. */
export const BOOT_MAX_IMG_SECTORS = 128;
/** Three swap states (records) per sector. */
export const BOOT_STATUS_STATE_COUNT = 3;
/** The bootloader partition of a typical Zephyr board; the primary slot starts after it. */
export const BOOTLOADER_SIZE = 0xc000;
export const MAGIC_SIZE = 16;

export interface Area {
  readonly name: 'primary' | 'secondary' | 'scratch';
  readonly off: number;
  readonly size: number;
}

export interface Layout {
  readonly sectorSize: number;
  readonly writeSize: number;
  readonly slotSize: number;
  readonly flashSize: number;
  readonly primary: Area;
  readonly secondary: Area;
  readonly scratch: Area;
  /** Bytes at the end of a slot (and of scratch) reserved for the trailer. */
  readonly trailerSize: number;
  /** Largest image (header + body + TLVs) that fits a slot next to its trailer. */
  readonly maxImageSize: number;
  readonly sectorsPerSlot: number;
}

const cache = new Map<string, Layout>();

export function trailerSizeFor(writeSize: number): number {
  // magic + image_ok + copy_done + swap_info + swap_size, then the status records
  return MAGIC_SIZE + 4 * BOOT_MAX_ALIGN + BOOT_MAX_IMG_SECTORS * BOOT_STATUS_STATE_COUNT * writeSize;
}

export function layoutFor(config: SimConfig): Layout {
  const swap = config.swap ?? 'scratch';
  if (swap !== 'scratch') {
    throw new Error(`mcuboot simulator: sim.swap '${swap}' is not implemented; use sim.swap 'scratch' (or leave it unset)`);
  }
  const sectorSize = config.sectorSize ?? 4096;
  const writeSize = config.writeSize ?? 8;
  const slotSize = config.slotSize ?? 131072;
  const key = `${sectorSize}/${writeSize}/${slotSize}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const bad = (why: string): never => {
    throw new Error(`mcuboot simulator: invalid flash geometry (slotSize ${slotSize}, sectorSize ${sectorSize}, writeSize ${writeSize}): ${why}`);
  };
  if (![1, 2, 4, 8].includes(writeSize)) bad(`writeSize must be 1, 2, 4 or 8 (BOOT_MAX_ALIGN is ${BOOT_MAX_ALIGN})`);
  if (sectorSize % writeSize) bad('sectorSize must be a multiple of writeSize');
  if (slotSize % sectorSize) bad('slotSize must be a multiple of sectorSize');
  const sectorsPerSlot = slotSize / sectorSize;
  if (sectorsPerSlot > BOOT_MAX_IMG_SECTORS) bad(`a slot has ${sectorsPerSlot} sectors; MCUboot allows at most ${BOOT_MAX_IMG_SECTORS}`);
  const trailerSize = trailerSizeFor(writeSize);
  // Scratch is one sector and must hold a whole trailer while the last sector is swapped.
  if (trailerSize > sectorSize) bad(`the ${trailerSize}-byte trailer does not fit one sector (the scratch area)`);
  if (sectorsPerSlot < 2) bad('a slot needs at least two sectors');

  const primaryOff = Math.ceil(BOOTLOADER_SIZE / sectorSize) * sectorSize;
  const secondaryOff = primaryOff + slotSize;
  const scratchOff = secondaryOff + slotSize;
  const layout: Layout = {
    sectorSize,
    writeSize,
    slotSize,
    flashSize: scratchOff + sectorSize,
    primary: { name: 'primary', off: primaryOff, size: slotSize },
    secondary: { name: 'secondary', off: secondaryOff, size: slotSize },
    scratch: { name: 'scratch', off: scratchOff, size: sectorSize },
    trailerSize,
    maxImageSize: slotSize - trailerSize,
    sectorsPerSlot,
  };
  cache.set(key, layout);
  return layout;
}
