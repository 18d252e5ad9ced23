// Flash map of the simulated ESP32 board: ROM-loaded 2nd stage bootloader at 0x1000, partition
// table at 0x8000, then the partitions of a typical two-OTA table with a factory app. This is what
// `idf.py flash` writes; firmware never reads it from here but from the table in flash.
import type { SimConfig } from '../../../rig/schema.ts';
import { PART_TYPE, PART_SUBTYPE, type PartitionEntry } from './partition-table.ts';

/** SPI_FLASH_SEC_SIZE: every otadata entry lives in its own sector of exactly this size. */
export const SECTOR_SIZE = 0x1000;
export const BOOTLOADER_OFFSET = 0x1000;
export const PARTITION_TABLE_OFFSET = 0x8000;
/** App partitions start on a 64 KiB MMU page boundary. */
const APP_ALIGN = 0x10000;

export interface Layout {
  readonly flashSize: number;
  readonly sectorSize: number;
  readonly writeSize: number;
  /** The designed table (what install writes at 0x8000). */
  readonly table: readonly PartitionEntry[];
  readonly appSize: number;
}

const cache = new Map<string, Layout>();

export function layoutFor(config: SimConfig): Layout {
  const sectorSize = config.sectorSize ?? SECTOR_SIZE;
  const writeSize = config.writeSize ?? 4;
  const appSize = config.slotSize ?? 0x20000;
  const key = `${sectorSize}/${writeSize}/${appSize}/${String(config.swap)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const bad = (why: string): never => {
    throw new Error(`esp-idf simulator: invalid sim config (slotSize ${appSize}, sectorSize ${sectorSize}, writeSize ${writeSize}): ${why}`);
  };
  if (config.swap !== undefined) bad(`sim.swap '${config.swap}' does not apply: ESP-IDF switches partitions through otadata, it never swaps`);
  if (sectorSize !== SECTOR_SIZE) bad(`sectorSize must be ${SECTOR_SIZE} (SPI_FLASH_SEC_SIZE: otadata keeps one entry per 4 KiB sector)`);
  if (![1, 2, 4, 8, 16].includes(writeSize)) bad('writeSize must be 1, 2, 4, 8 or 16 bytes');
  if (appSize % APP_ALIGN || appSize === 0) bad(`slotSize (the app partition size) must be a multiple of 0x${APP_ALIGN.toString(16)}`);

  const part = (label: string, type: number, subtype: number, offset: number, size: number): PartitionEntry => ({ label, type, subtype, offset, size, flags: 0 });
  const table = [
    part('nvs', PART_TYPE.DATA, PART_SUBTYPE.NVS, 0x9000, 0x4000),
    part('otadata', PART_TYPE.DATA, PART_SUBTYPE.OTA_DATA, 0xd000, 2 * SECTOR_SIZE),
    part('phy_init', PART_TYPE.DATA, PART_SUBTYPE.PHY, 0xf000, 0x1000),
    part('factory', PART_TYPE.APP, PART_SUBTYPE.FACTORY, 0x10000, appSize),
    part('ota_0', PART_TYPE.APP, PART_SUBTYPE.OTA_0, 0x10000 + appSize, appSize),
    part('ota_1', PART_TYPE.APP, PART_SUBTYPE.OTA_0 + 1, 0x10000 + 2 * appSize, appSize),
  ];
  const end = 0x10000 + 3 * appSize;
  // Flash chips come in powers of two, 1 MB at least on an ESP32 module.
  let flashSize = 0x100000;
  while (flashSize < end) flashSize *= 2;
  const layout: Layout = { flashSize, sectorSize, writeSize, table, appSize };
  cache.set(key, layout);
  return layout;
}

/** The 4-bit flash-size field of an image header (0 = 1MB, 1 = 2MB, ...). */
export function flashSizeCode(flashSize: number): number {
  return Math.max(0, Math.round(Math.log2(flashSize / 0x100000)));
}
