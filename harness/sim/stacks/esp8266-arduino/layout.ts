// Flash map of the simulated ESP8266 Arduino board: a 1 MB module built with the core's
// "1M (FS:64KB OTA:~470KB)" layout. eboot sits in sector 0, the one sketch right after it, the
// filesystem near the top; the Updater stages a new image immediately below the filesystem.
import type { SimConfig } from '../../../rig/schema.ts';

export const SECTOR = 0x1000;
/** SPI flash writes go in 32-bit words. */
export const WRITE_SIZE = 4;
export const FLASH_SIZE = 0x100000;
/** eboot's APP_START_OFFSET: the sketch image follows eboot's sector. */
export const APP_START = 0x1000;
export const FS_START = 0xeb000;
export const FS_END = 0xfb000;
/** Image header byte 3, high nibble: the flash size the image was built for (2 = 1 MB). */
export const FLASH_SIZE_CODE = 2;

/** This board has one fixed layout; a rig asking for another geometry is a mistake, said loudly. */
export function checkConfig(config: SimConfig): void {
  const bad = (what: string) => {
    throw new Error(`esp8266-arduino simulator: ${what} is not configurable (1 MB flash, 4 KiB sectors, 4-byte writes, one sketch slot)`);
  };
  if (config.sectorSize !== undefined && config.sectorSize !== SECTOR) bad(`sim.sectorSize ${config.sectorSize}`);
  if (config.writeSize !== undefined && config.writeSize !== WRITE_SIZE) bad(`sim.writeSize ${config.writeSize}`);
  if (config.slotSize !== undefined) bad('sim.slotSize');
  if (config.swap !== undefined) bad('sim.swap');
}

export const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;
