// What an app image carries about itself: esp_app_desc_t at the start of its first (DROM)
// segment, as esp_app_desc.c places it, plus the simulated firmware's behaviour right after it,
// so the app reads what to do from flash and never from JS state that might survive a cut.
import type { ImageBuild } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { fillNoise, mulberry32 } from '../../flash.ts';
import { assembleImage, HEADER_SIZE, SEGMENT_HEADER_SIZE, parseHeader, ESP_IMAGE_MAGIC, sha256, type SegmentSpec } from './image.ts';
import { flashSizeCode, layoutFor } from './layout.ts';

export const APP_DESC_MAGIC = 0xabcd5432;
export const APP_DESC_SIZE = 256;
export const IDF_VERSION = 'v5.3.1';
export const PROJECT_NAME = 'ota_hil_sim';
const SIM_MARKER = 'OTAHIL-SIMAPP\0';
export const DEFAULT_BODY_SIZE = 40000;

export interface AppDesc {
  version: string;
  project: string;
  time: string;
  date: string;
  idf: string;
  elfSha256: Uint8Array;
}

export interface SimBehaviourInfo {
  boot: 'ok' | 'crash' | 'hang';
  confirm: 'self' | 'wait';
}

export interface AppInfo {
  desc: AppDesc;
  /** null when the image is a real ESP-IDF app rather than one the simulator built. */
  sim: SimBehaviourInfo | null;
}

function cstr(out: Uint8Array, at: number, size: number, text: string, what: string): void {
  const b = Buffer.from(text, 'latin1');
  if (b.length >= size) throw new Error(`esp-idf image: ${what} '${text}' does not fit esp_app_desc_t (max ${size - 1} characters)`);
  out.fill(0, at, at + size);
  out.set(b, at);
}

function encodeAppDesc(d: AppDesc): Uint8Array {
  const out = new Uint8Array(APP_DESC_SIZE);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, APP_DESC_MAGIC, true);
  cstr(out, 16, 32, d.version, 'version');
  cstr(out, 48, 32, d.project, 'project name');
  cstr(out, 80, 16, d.time, 'time');
  cstr(out, 96, 16, d.date, 'date');
  cstr(out, 112, 32, d.idf, 'IDF version');
  out.set(d.elfSha256.subarray(0, 32), 144);
  out[180] = 16; // mmu_page_size: log2(64 KiB)
  return out;
}

const floor4 = (n: number) => Math.floor(n / 4) * 4;

export function buildAppImage(build: ImageBuild, config: SimConfig): Uint8Array {
  const layout = layoutFor(config);
  const sim: SimBehaviourInfo = { boot: build.boot ?? 'ok', confirm: build.confirm ?? 'wait' };
  const desc = encodeAppDesc({
    version: build.version,
    project: PROJECT_NAME,
    time: '00:00:00',
    date: 'Jan  1 2026',
    idf: IDF_VERSION,
    elfSha256: sha256(Buffer.from(`${build.version} ${JSON.stringify(sim)}`)),
  });
  const meta = Buffer.from(SIM_MARKER + JSON.stringify(sim) + '\0', 'utf8');
  const total = floor4(build.size ?? DEFAULT_BODY_SIZE);
  const s1 = floor4(total * 0.1);
  const s2 = floor4(total * 0.15);
  const s0 = Math.max(floor4(total * 0.4), Math.ceil((APP_DESC_SIZE + meta.length) / 4) * 4);
  const s3 = total - s0 - s1 - s2;
  if (s3 < 4) throw new Error(`esp-idf image ${build.version}: body size ${total} is too small for its ${APP_DESC_SIZE + meta.length}-byte descriptor`);
  // Filler differs per version so two builds never share bytes by accident.
  const rng = mulberry32(hashString(build.version) ^ total);
  const fill = (n: number) => fillNoise(new Uint8Array(n), rng);
  const drom = fill(s0);
  drom.set(desc, 0);
  drom.set(meta, APP_DESC_SIZE);
  const segments: SegmentSpec[] = [
    { addr: 0x3f400020, data: drom }, // DROM: rodata, the app descriptor first
    { addr: 0x3ffb0000, data: fill(s1) }, // DRAM
    { addr: 0x40080000, data: fill(s2) }, // IRAM
    { addr: 0x400d0020, data: fill(s3) }, // IROM: text
  ];
  const img = assembleImage(segments, 0x400811b4, flashSizeCode(layout.flashSize));
  if (img.length > layout.appSize) {
    throw new Error(`esp-idf image ${build.version}: ${img.length} bytes do not fit the 0x${layout.appSize.toString(16)}-byte app partition`);
  }
  return img;
}

/** The 2nd stage bootloader image the ROM loads from 0x1000 (segment sizes of a real v5 build). */
export function buildBootloaderImage(config: SimConfig): Uint8Array {
  const rng = mulberry32(0xb007);
  const seg = (addr: number, len: number): SegmentSpec => ({ addr, data: fillNoise(new Uint8Array(len), rng) });
  const segments = [seg(0x3fff0030, 7104), seg(0x40078000, 15576), seg(0x40080400, 4), seg(0x40080404, 3876)];
  return assembleImage(segments, 0x4008064c, flashSizeCode(layoutFor(config).flashSize));
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
}


/** esp_app_get_description() for the image at `off`; null when there is no descriptor there. */
export function readAppInfo(flash: Reader, off: number): AppInfo | null {
  const header = parseHeader(flash.read(off, HEADER_SIZE));
  if (header.magic !== ESP_IMAGE_MAGIC || header.segmentCount === 0) return null;
  const raw = flash.read(off + HEADER_SIZE + SEGMENT_HEADER_SIZE, APP_DESC_SIZE + 256);
  const dv = new DataView(raw.buffer);
  if (dv.getUint32(0, true) !== APP_DESC_MAGIC) return null;
  const str = (at: number, size: number) => Buffer.from(raw.subarray(at, at + size)).toString('latin1').replace(/\0.*$/s, '');
  const desc: AppDesc = { version: str(16, 32), project: str(48, 32), time: str(80, 16), date: str(96, 16), idf: str(112, 32), elfSha256: raw.slice(144, 176) };
  return { desc, sim: readSim(Buffer.from(raw.subarray(APP_DESC_SIZE))) };
}

function readSim(b: Buffer): SimBehaviourInfo | null {
  if (!b.subarray(0, SIM_MARKER.length).equals(Buffer.from(SIM_MARKER, 'utf8'))) return null;
  const end = b.indexOf(0, SIM_MARKER.length);
  if (end < 0) return null;
  try {
    const v = JSON.parse(b.subarray(SIM_MARKER.length, end).toString('utf8')) as Partial<SimBehaviourInfo>;
    const boot = v.boot === 'crash' || v.boot === 'hang' || v.boot === 'ok' ? v.boot : null;
    return boot ? { boot, confirm: v.confirm === 'self' ? 'self' : 'wait' } : null;
  } catch {
    return null;
  }
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
