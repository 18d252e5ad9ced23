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
/** imgtool --header-size as Zephyr builds use it: the 32-byte header padded to 0x200. */
export const DEFAULT_HEADER_SIZE = 0x200;
/** bootutil's copy buffer (BUF_SZ in loader.c): a sector copy is one write per KiB. */
export const DEFAULT_COPY_CHUNK = 1024;
export const DEFAULT_BOOTLOADER_VERSION = '2.1.0';

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
  /** The configured slot size: the secondary's (and the primary's unless primarySlotSize says otherwise). */
  readonly slotSize: number;
  /** ih_hdr_size of the images built for this board. */
  readonly headerSize: number;
  /** Bytes per program when the bootloader copies between areas. */
  readonly copyChunk: number;
  /** What the banner prints. */
  readonly bootloaderVersion: string;
  readonly flashSize: number;
  /** For move the primary has one sector more than the secondary by default (room to shift the image up). */
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
  const primarySize = config.primarySlotSize ?? slotSize + (swap === 'move' ? sectorSize : 0);
  const headerSize = config.imageHeaderSize ?? DEFAULT_HEADER_SIZE;
  const copyChunk = config.copyChunk ?? DEFAULT_COPY_CHUNK;
  const bootloaderVersion = config.bootloaderVersion ?? DEFAULT_BOOTLOADER_VERSION;
  const key = `${swap}/${sectorSize}/${writeSize}/${slotSize}/${primarySize}/${headerSize}/${copyChunk}/${bootloaderVersion}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const bad = (why: string): never => {
    throw new Error(`mcuboot simulator: invalid flash geometry (swap ${swap}, slotSize ${slotSize}, sectorSize ${sectorSize}, writeSize ${writeSize}): ${why}`);
  };
  if (![1, 2, 4, 8].includes(writeSize)) bad(`writeSize must be 1, 2, 4 or 8 (BOOT_MAX_ALIGN is ${BOOT_MAX_ALIGN})`);
  if (sectorSize % writeSize) bad('sectorSize must be a multiple of writeSize');
  if (slotSize % sectorSize || primarySize % sectorSize) bad('slot sizes must be multiples of sectorSize');
  if (copyChunk % writeSize) bad(`copyChunk ${copyChunk} must be a multiple of writeSize`);
  if (headerSize < 32 || headerSize % 4) bad(`imageHeaderSize ${headerSize} must be at least 32 and a multiple of 4`);
  const secondarySectors = slotSize / sectorSize;
  const primarySectors = primarySize / sectorSize;
  // boot_slots_compatible: equal slots, or (swap-move) a primary one sector larger.
  if (primarySectors !== secondarySectors && !(swap === 'move' && primarySectors === secondarySectors + 1)) {
    bad(`primary ${primarySectors} and secondary ${secondarySectors} sectors: the slots must be equal${swap === 'move' ? ', or the primary one sector larger' : ''}`);
  }
  if (primarySectors > BOOT_MAX_IMG_SECTORS) bad(`the primary slot has ${primarySectors} sectors; MCUboot allows at most ${BOOT_MAX_IMG_SECTORS}`);
  const trailerSize = trailerSizeFor(writeSize);
  const trailerSectors = Math.ceil(trailerSize / sectorSize);
  // Scratch is one sector and must hold a whole trailer while the last sector is swapped.
  if (swap === 'scratch' && trailerSectors > 1) bad(`the ${trailerSize}-byte trailer does not fit one sector (the scratch area)`);
  // Move (app_max_size): the image must end before the first sector holding the trailer, with one
  // primary sector to spare for the shift.
  const maxImageSize =
    swap === 'scratch'
      ? slotSize - trailerSize
      : Math.min((primarySectors - trailerSectors - 1) * sectorSize, (secondarySectors - trailerSectors) * sectorSize);
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
    headerSize,
    copyChunk,
    bootloaderVersion,
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
