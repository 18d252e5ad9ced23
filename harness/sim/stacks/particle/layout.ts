// Flash map of the simulated Particle-style board: the DCT sector holding the OTA module slot,
// the user-application module slot, and the OTA region where a downloaded module is staged.
// Device OS itself is not updated here; it is the code around the user module.
import type { SimConfig } from '../../../rig/schema.ts';

export interface Layout {
  readonly sectorSize: number;
  readonly writeSize: number;
  readonly slotSize: number;
  /** DCT: the module slot record (platform_flash_modules_t). */
  readonly dct: number;
  readonly user: number;
  readonly ota: number;
  readonly flashSize: number;
}

export function layoutFor(config: SimConfig): Layout {
  const sectorSize = config.sectorSize ?? 4096;
  const writeSize = config.writeSize ?? 4;
  const slotSize = config.slotSize ?? 131072;
  const bad = (why: string): never => {
    throw new Error(`particle simulator: invalid geometry (slotSize ${slotSize}, sectorSize ${sectorSize}, writeSize ${writeSize}): ${why}`);
  };
  if (config.swap !== undefined) bad('sim.swap does not apply (the bootloader copies the module)');
  if (![1, 2, 4, 8].includes(writeSize)) bad('writeSize must be 1, 2, 4 or 8');
  if (sectorSize < 256 || sectorSize % writeSize) bad('sectorSize must be at least 256 and a multiple of writeSize');
  if (slotSize % sectorSize || slotSize < sectorSize) bad('slotSize must be a multiple of sectorSize');
  const dct = Math.ceil(0x8000 / sectorSize) * sectorSize;
  const user = Math.max(0x10000, dct + sectorSize);
  return { sectorSize, writeSize, slotSize, dct, user, ota: user + slotSize, flashSize: user + 2 * slotSize };
}
