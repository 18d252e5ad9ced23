// Flash map of the simulated Mongoose OS ESP8266 board: rBoot at 0, its config sector at 0x1000,
// then per 'bank' a ROM at bank + 0x8000 and that ROM's filesystem after it (Mongoose OS on a
// 2 MiB ESP8266 puts rom0 at 0x8000 and rom1 at 0x108000). Banks scale with the rig's slotSize.
import type { SimConfig } from '../../../rig/schema.ts';
import type { Slot } from '../mongoose-os/platform.ts';

export interface RbootLayout {
  flashSize: number;
  sectorSize: number;
  writeSize: number;
  /** BOOT_CONFIG_SECTOR 1. */
  configAddr: number;
  slots: Slot[];
}

const ROM_OFFSET = 0x8000;

export function rbootLayout(config: SimConfig): RbootLayout {
  const sectorSize = config.sectorSize ?? 4096;
  const writeSize = config.writeSize ?? 4;
  const romSize = config.slotSize ?? 0x20000;
  if (sectorSize !== 4096) throw new Error(`rboot (ESP8266): SPI flash sectors are 4096 bytes, not ${sectorSize}`);
  if (romSize % sectorSize) throw new Error(`rboot (ESP8266): slotSize 0x${romSize.toString(16)} is not a whole number of sectors`);
  if (writeSize > 16 || sectorSize % writeSize) throw new Error(`rboot (ESP8266): write size ${writeSize}`);
  const fsSize = 0x10000;
  let bank = 0x10000;
  while (bank < ROM_OFFSET + romSize + fsSize) bank *= 2;
  const slots: Slot[] = [0, 1].map((i) => ({
    name: `rom${i}`,
    app: { off: i * bank + ROM_OFFSET, size: romSize },
    fs: { off: i * bank + ROM_OFFSET + romSize, size: fsSize },
  }));
  return { flashSize: 2 * bank, sectorSize, writeSize, configAddr: 0x1000, slots };
}
