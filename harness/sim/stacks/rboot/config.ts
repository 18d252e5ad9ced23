// rboot_config as Cesanta's patched rBoot keeps it in sector 1: upstream's {magic 0xe1, version,
// mode, current_rom, gpio_rom, count, roms[4]} plus previous_rom, is_first_boot, boot_attempts
// and fw_updated (facts §C), closed by rBoot's XOR checksum (seed 0xef). One copy, rewritten by
// erase + program: a cut there leaves no valid config, and rBoot then writes its default.
import type { DeviceFlash } from '../../stack.ts';
import { xorBytes } from '../../xor-checksum.ts';

export const CONFIG_MAGIC = 0xe1;
export const CONFIG_VERSION = 0x01;
const SIZE = 32;
const CHKSUM_INIT = 0xef;

export interface RbootConfig {
  mode: number;
  currentRom: number;
  gpioRom: number;
  count: number;
  roms: number[];
  previousRom: number;
  isFirstBoot: boolean;
  bootAttempts: number;
  fwUpdated: boolean;
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

const checksum = (b: Uint8Array): number => xorBytes(b.subarray(0, SIZE - 1), CHKSUM_INIT);

export function encodeConfig(c: RbootConfig): Uint8Array {
  const b = new Uint8Array(SIZE);
  const dv = new DataView(b.buffer);
  b[0] = CONFIG_MAGIC;
  b[1] = CONFIG_VERSION;
  b[2] = c.mode;
  b[3] = c.currentRom;
  b[4] = c.gpioRom;
  b[5] = c.count;
  for (let i = 0; i < 4; i++) dv.setUint32(8 + 4 * i, c.roms[i] ?? 0, true);
  b[24] = c.previousRom;
  b[25] = c.isFirstBoot ? 1 : 0;
  b[26] = c.bootAttempts;
  b[27] = c.fwUpdated ? 1 : 0;
  b[SIZE - 1] = checksum(b);
  return b;
}

/** null when magic, version or checksum is wrong (erased, torn, garbage). */
export function readConfig(flash: Reader, addr: number): RbootConfig | null {
  const b = flash.read(addr, SIZE);
  if (b[0] !== CONFIG_MAGIC || b[1] !== CONFIG_VERSION || b[SIZE - 1] !== checksum(b)) return null;
  const dv = new DataView(b.buffer);
  return {
    mode: b[2]!,
    currentRom: b[3]!,
    gpioRom: b[4]!,
    count: b[5]!,
    roms: [0, 1, 2, 3].map((i) => dv.getUint32(8 + 4 * i, true)),
    previousRom: b[24]!,
    isFirstBoot: b[25] === 1,
    bootAttempts: b[26]!,
    fwUpdated: b[27] === 1,
  };
}

export function defaultConfig(roms: number[]): RbootConfig {
  return { mode: 0, currentRom: 0, gpioRom: 0, count: roms.length, roms, previousRom: 0, isFirstBoot: false, bootAttempts: 0, fwUpdated: false };
}

/** rboot_set_config: erase the sector, program the struct. */
export async function writeConfig(flash: DeviceFlash, addr: number, sectorSize: number, c: RbootConfig): Promise<void> {
  await flash.erase(addr, sectorSize);
  await flash.program(addr, encodeConfig(c));
}

export function describeConfig(c: RbootConfig | null): string {
  if (!c) return 'rboot_config invalid';
  return `rboot_config current=${c.currentRom} previous=${c.previousRom} first_boot=${c.isFirstBoot ? 1 : 0} attempts=${c.bootAttempts} fw_updated=${c.fwUpdated ? 1 : 0}`;
}
