// A Particle-style user module: module_info_t header (addresses, version, platform, function,
// dependency on Device OS), the body, module_info_suffix_t (SHA-256) and a CRC32 (big-endian)
// over everything before it. The simulated app's behaviour lives at the start of the body.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { ImageBuild } from '../../stack.ts';
import { fillNoise, mulberry32 } from '../../flash.ts';

export const PLATFORM_ID = 12; // argon-like
export const MOD_FUNC_USER_PART = 5;
const MOD_FUNC_SYSTEM_PART = 4;
/** Device OS this board runs, as a module version (5.5.0). */
export const DEVICE_OS = { text: '5.5.0', module: 5500 };
const HEADER = 24;
const SUFFIX = 36;
const MARKER = Buffer.from('OTAHIL-PAPP\0', 'latin1');
export const DEFAULT_BODY_SIZE = 40000;

export interface AppInfo {
  version: string;
  boot: 'ok' | 'crash' | 'hang';
}

interface Reader {
  read(addr: number, len: number): Uint8Array;
}

/** "1.2.3" → 10203 (module_version is a u16). */
function moduleVersion(v: string): number {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v);
  return m ? Math.min(65535, Number(m[1]) * 10000 + Number(m[2] ?? 0) * 100 + Number(m[3] ?? 0)) : 0;
}

export function buildModule(build: ImageBuild, runAt: number, maxSize: number): Uint8Array {
  const info: AppInfo = { version: build.version, boot: build.boot ?? 'ok' };
  const body = build.size ?? DEFAULT_BODY_SIZE;
  const meta = Buffer.from(MARKER.toString('latin1') + JSON.stringify(info) + '\0', 'utf8');
  if (meta.length > body) throw new Error(`particle module ${build.version}: body size ${body} is smaller than its ${meta.length}-byte descriptor`);
  const len = HEADER + body + SUFFIX + 4;
  if (len > maxSize) throw new Error(`particle module ${build.version}: ${len} bytes do not fit the ${maxSize}-byte user slot`);
  const m = new Uint8Array(len);
  const dv = new DataView(m.buffer);
  dv.setUint32(0, runAt, true);
  dv.setUint32(4, runAt + len - 4, true); // module_end_address: where the CRC starts
  dv.setUint16(10, moduleVersion(build.version), true);
  dv.setUint16(12, PLATFORM_ID, true);
  m[14] = MOD_FUNC_USER_PART;
  m[15] = 1;
  m[16] = MOD_FUNC_SYSTEM_PART;
  m[17] = 1;
  dv.setUint16(18, DEVICE_OS.module, true);
  m.set(meta, HEADER);
  fillNoise(m.subarray(HEADER + meta.length, HEADER + body), mulberry32(hashString(build.version) ^ body));
  const suffix = HEADER + body;
  m.set(createHash('sha256').update(m.subarray(0, suffix)).digest(), suffix + 2);
  dv.setUint16(suffix + 34, SUFFIX, true);
  dv.setUint32(len - 4, crc32(m.subarray(0, len - 4)), false);
  return m;
}

export type ModuleCheck = { ok: true; length: number; info: AppInfo | null } | { ok: false; erased: boolean; reason: string };

/** What the system (after a download), the bootloader (before a copy) and Device OS (at boot) check. */
export function checkModule(flash: Reader, off: number, maxSize: number): ModuleCheck {
  const h = flash.read(off, HEADER);
  if (h.every((b) => b === 0xff)) return { ok: false, erased: true, reason: 'empty' };
  const fail = (reason: string): ModuleCheck => ({ ok: false, erased: false, reason });
  const dv = new DataView(h.buffer);
  const len = dv.getUint32(4, true) - dv.getUint32(0, true) + 4;
  if (len < HEADER + SUFFIX + 4 || len > maxSize) return fail('bad module bounds');
  if (h[14] !== MOD_FUNC_USER_PART || dv.getUint16(12, true) !== PLATFORM_ID) return fail('not a user module for this platform');
  const m = flash.read(off, len);
  if (new DataView(m.buffer).getUint32(len - 4, false) !== crc32(m.subarray(0, len - 4))) return fail('CRC mismatch');
  if (h[16] === MOD_FUNC_SYSTEM_PART && dv.getUint16(18, true) > DEVICE_OS.module) return fail('dependency: needs a newer Device OS');
  return { ok: true, length: len, info: appInfo(m) };
}

function appInfo(m: Uint8Array): AppInfo | null {
  const head = Buffer.from(m.subarray(HEADER, HEADER + 512));
  if (!head.subarray(0, MARKER.length).equals(MARKER)) return null;
  try {
    const v = JSON.parse(head.subarray(MARKER.length, head.indexOf(0, MARKER.length)).toString('utf8')) as Partial<AppInfo>;
    if (typeof v.version !== 'string') return null;
    return { version: v.version, boot: v.boot === 'crash' || v.boot === 'hang' ? v.boot : 'ok' };
  } catch {
    return null;
  }
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
