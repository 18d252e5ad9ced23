// The DCT module slot (platform_flash_modules_t): {magic 0xABCD, flags, source, destination,
// length, module function}. The body is programmed first and the magic last, so a torn write never
// yields a valid slot. "Unused" is an erased slot (magic 0xFFFF).
import type { DeviceFlash } from '../../stack.ts';
import type { Layout } from './layout.ts';

export const SLOT_MAGIC = 0xabcd;
const SLOT_SIZE = 24;

export interface ModuleSlot {
  src: number;
  dst: number;
  length: number;
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

export function readSlot(flash: Reader, l: Layout): ModuleSlot | null {
  const dv = new DataView(flash.read(l.dct, SLOT_SIZE).buffer);
  if (dv.getUint16(0, true) !== SLOT_MAGIC) return null;
  return { src: dv.getUint32(8, true), dst: dv.getUint32(12, true), length: dv.getUint32(16, true) };
}

export async function writeSlot(flash: DeviceFlash, l: Layout, slot: ModuleSlot): Promise<void> {
  const b = new Uint8Array(SLOT_SIZE).fill(0xff);
  const dv = new DataView(b.buffer);
  dv.setUint32(8, slot.src, true);
  dv.setUint32(12, slot.dst, true);
  dv.setUint32(16, slot.length, true);
  b[20] = 5; // module_function: user part
  await clearSlot(flash, l);
  const unit = Math.max(l.writeSize, 4);
  await flash.program(l.dct + unit, b.subarray(unit));
  const head = new Uint8Array(unit).fill(0xff);
  new DataView(head.buffer).setUint16(0, SLOT_MAGIC, true);
  new DataView(head.buffer).setUint16(2, 0, true); // flags
  await flash.program(l.dct, head);
}

/** Mark the slot unused (only when it is not already). */
export async function clearSlot(flash: DeviceFlash, l: Layout): Promise<void> {
  if (!flash.read(l.dct, SLOT_SIZE).every((x) => x === 0xff)) await flash.erase(l.dct, l.sectorSize);
}
