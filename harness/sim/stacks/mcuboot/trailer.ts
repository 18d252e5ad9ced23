// The image trailer at the end of each slot and of scratch: magic, flags, swap_info, swap_size and
// the swap-status records. Decoding is lossy on purpose, as in bootutil: only an exact 0x01 is a
// set flag, and any non-erased non-0x01 byte is "bad".
import type { DeviceFlash } from '../../stack.ts';
import { BOOT_MAX_ALIGN, MAGIC_SIZE, BOOT_MAX_IMG_SECTORS, BOOT_STATUS_STATE_COUNT, type Area, type Layout } from './layout.ts';

export const BOOT_MAGIC = Uint8Array.from([0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80]);

export const SwapType = { NONE: 1, TEST: 2, PERM: 3, REVERT: 4 } as const;
export type SwapType = (typeof SwapType)[keyof typeof SwapType];
export const Flag = { SET: 1, BAD: 2, UNSET: 3 } as const;
export type Flag = (typeof Flag)[keyof typeof Flag];
export type Magic = 'good' | 'unset' | 'bad';

export interface SwapState {
  magic: Magic;
  /** Decided on: anything but TEST, PERM or REVERT is NONE. */
  swapType: SwapType;
  /** As boot_read_swap_state leaves it and BOOT_LOG_SWAP_STATE prints it: a low nibble of 0 stays 0. */
  swapTypeLogged: number;
  copyDone: Flag;
  imageOk: Flag;
  imageNum: number;
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

export function swapTypeName(t: SwapType): 'none' | 'test' | 'perm' | 'revert' {
  return t === SwapType.TEST ? 'test' : t === SwapType.PERM ? 'perm' : t === SwapType.REVERT ? 'revert' : 'none';
}

// Offsets from the start of an area; the trailer is laid out backwards from the area's end.
const magicOff = (a: Area) => a.off + a.size - MAGIC_SIZE;
const imageOkOff = (a: Area) => magicOff(a) - BOOT_MAX_ALIGN;
const copyDoneOff = (a: Area) => imageOkOff(a) - BOOT_MAX_ALIGN;
const swapInfoOff = (a: Area) => copyDoneOff(a) - BOOT_MAX_ALIGN;
const swapSizeOff = (a: Area) => swapInfoOff(a) - BOOT_MAX_ALIGN;
/** Start of the status area, which is also the start of the whole trailer. */
export const trailerOff = (l: Layout, a: Area) => swapSizeOff(a) - BOOT_MAX_IMG_SECTORS * BOOT_STATUS_STATE_COUNT * l.writeSize;
const recordOff = (l: Layout, a: Area, k: number) => trailerOff(l, a) + k * l.writeSize;

export const trailerOffsets = { magicOff, imageOkOff, copyDoneOff, swapInfoOff, swapSizeOff };

const erased = (b: Uint8Array) => b.every((x) => x === 0xff);

function readFlag(flash: Reader, addr: number): Flag {
  const b = flash.read(addr, 1)[0]!;
  return b === 0xff ? Flag.UNSET : b === 0x01 ? Flag.SET : Flag.BAD;
}

export function readMagic(flash: Reader, area: Area): Magic {
  const m = flash.read(magicOff(area), MAGIC_SIZE);
  if (erased(m)) return 'unset';
  return m.every((b, i) => b === BOOT_MAGIC[i]) ? 'good' : 'bad';
}

export function readSwapState(flash: Reader, area: Area): SwapState {
  const info = flash.read(swapInfoOff(area), 1)[0]!;
  const type = info & 0x0f;
  const swapType = info === 0xff || type < SwapType.NONE || type > SwapType.REVERT ? SwapType.NONE : (type as SwapType);
  return {
    magic: readMagic(flash, area),
    swapType,
    swapTypeLogged: info === 0xff || type > SwapType.REVERT ? SwapType.NONE : type,
    copyDone: readFlag(flash, copyDoneOff(area)),
    imageOk: readFlag(flash, imageOkOff(area)),
    imageNum: info === 0xff ? 0 : info >> 4,
  };
}

/** The BOOT_LOG_SWAP_STATE line: decoded enums, not raw bytes. */
export function formatSwapState(name: string, s: SwapState): string {
  return `${name}: magic=${s.magic}, swap_type=0x${s.swapTypeLogged.toString(16)}, copy_done=0x${s.copyDone.toString(16)}, image_ok=0x${s.imageOk.toString(16)}`;
}

export function readSwapSize(flash: Reader, area: Area): number {
  return new DataView(flash.read(swapSizeOff(area), 4).buffer).getUint32(0, true);
}

/** A padded write of `value` at `addr`: one write unit (at least `minLen` bytes), rest erased. */
async function writePadded(flash: DeviceFlash, l: Layout, addr: number, value: Uint8Array): Promise<void> {
  const len = Math.ceil(value.length / l.writeSize) * l.writeSize;
  const buf = new Uint8Array(len).fill(0xff);
  buf.set(value);
  await flash.program(addr, buf);
}

export const writeMagic = (f: DeviceFlash, l: Layout, a: Area) => writePadded(f, l, magicOff(a), BOOT_MAGIC);
export const writeImageOk = (f: DeviceFlash, l: Layout, a: Area) => writePadded(f, l, imageOkOff(a), Uint8Array.of(Flag.SET));
export const writeCopyDone = (f: DeviceFlash, l: Layout, a: Area) => writePadded(f, l, copyDoneOff(a), Uint8Array.of(Flag.SET));
export const writeSwapInfo = (f: DeviceFlash, l: Layout, a: Area, type: SwapType, image = 0) =>
  writePadded(f, l, swapInfoOff(a), Uint8Array.of((type & 0x0f) | ((image & 0x0f) << 4)));
export function writeSwapSize(f: DeviceFlash, l: Layout, a: Area, size: number): Promise<void> {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, size, true);
  return writePadded(f, l, swapSizeOff(a), b);
}

/** Status record `k` holds its state number (1..3); by default k = region ordinal * 3 + state. */
export function writeStatusRecord(f: DeviceFlash, l: Layout, a: Area, k: number, state = (k % BOOT_STATUS_STATE_COUNT) + 1): Promise<void> {
  return writePadded(f, l, recordOff(l, a, k), Uint8Array.of(state));
}

/** Index of the last written status record (a torn record counts once any byte landed), or -1. */
export function lastStatusRecord(flash: Reader, l: Layout, a: Area, count: number): number {
  const bytes = flash.read(trailerOff(l, a), Math.min(count, BOOT_MAX_IMG_SECTORS * BOOT_STATUS_STATE_COUNT) * l.writeSize);
  let last = -1;
  for (let k = 0; k * l.writeSize < bytes.length; k++) {
    if (!erased(bytes.subarray(k * l.writeSize, (k + 1) * l.writeSize))) last = k;
  }
  return last;
}

/**
 * boot_swap_type_multi's table, first match wins. The bootloader acts on it; an app linking
 * bootutil evaluates the same table when asked (mcumgr, the `mcuboot` shell command).
 */
export function swapTypeFromTable(primary: SwapState, secondary: SwapState, opts: { revert: boolean } = { revert: true }): SwapType {
  if (secondary.magic === 'good' && secondary.imageOk === Flag.UNSET) return SwapType.TEST;
  if (secondary.magic === 'good' && secondary.imageOk === Flag.SET) return SwapType.PERM;
  if (opts.revert && primary.magic === 'good' && primary.imageOk === Flag.UNSET && primary.copyDone === Flag.SET) return SwapType.REVERT;
  return SwapType.NONE;
}

/** Erase every sector holding (part of) the area's trailer, last sector first. */
export async function eraseTrailerSectors(f: DeviceFlash, l: Layout, a: Area): Promise<void> {
  for (let i = 1; i <= l.trailerSectors; i++) await f.erase(a.off + a.size - i * l.sectorSize, l.sectorSize);
}
