// Flash map of the simulated Mongoose OS ESP32 board, as its partition table prints it: nvs,
// otadata, then app_0/fs_0 and app_1/fs_1 (a filesystem per slot, as Mongoose OS lays out
// ESP32 flash). Sizes scale with the rig's slotSize so sweeps stay fast.
import type { SimConfig } from '../../../rig/schema.ts';
import type { Area, Slot } from './platform.ts';

export interface PartitionRow {
  label: string;
  usage: string;
  type: number;
  subtype: number;
  area: Area;
}

export interface Esp32Layout {
  flashSize: number;
  sectorSize: number;
  writeSize: number;
  nvs: Area;
  otadata: Area;
  slots: Slot[];
  table: PartitionRow[];
}

const APP_ALIGN = 0x10000; // ESP32 app partitions start on 64 KiB boundaries

export function esp32Layout(config: SimConfig): Esp32Layout {
  const sectorSize = config.sectorSize ?? 4096;
  const writeSize = config.writeSize ?? 4;
  const appSize = config.slotSize ?? 0x20000;
  if (sectorSize !== 4096) throw new Error(`mongoose-os (ESP32): SPI flash sectors are 4096 bytes, not ${sectorSize}`);
  if (appSize % APP_ALIGN) throw new Error(`mongoose-os (ESP32): slotSize 0x${appSize.toString(16)} is not a multiple of 64 KiB`);
  if (writeSize > 16 || sectorSize % writeSize) throw new Error(`mongoose-os (ESP32): write size ${writeSize}`);
  const fsSize = APP_ALIGN;
  const nvs = { off: 0x9000, size: 0x4000 };
  const otadata = { off: 0xd000, size: 0x2000 };
  const slots: Slot[] = [];
  let off = 0x10000;
  for (let i = 0; i < 2; i++) {
    slots.push({ name: `app_${i}`, app: { off, size: appSize }, fs: { off: off + appSize, size: fsSize } });
    off += appSize + fsSize;
  }
  let flashSize = 0x100000;
  while (flashSize < off) flashSize *= 2;
  const table: PartitionRow[] = [
    { label: 'nvs', usage: 'WiFi data', type: 1, subtype: 2, area: nvs },
    { label: 'otadata', usage: 'OTA data', type: 1, subtype: 0, area: otadata },
  ];
  slots.forEach((s, i) => {
    table.push({ label: s.name, usage: 'OTA app', type: 0, subtype: 0x10 + i, area: s.app });
    table.push({ label: `fs_${i}`, usage: 'Unknown data', type: 1, subtype: 0x82, area: s.fs });
  });
  return { flashSize, sectorSize, writeSize, nvs, otadata, slots, table };
}
