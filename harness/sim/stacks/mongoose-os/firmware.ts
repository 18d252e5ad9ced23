// A Mongoose OS firmware bundle (fw.zip): manifest.json naming the platform, version and parts,
// each part with its SHA-1 (cs_sha1), then the app image and the filesystem image. The updater
// refuses a bundle whose parts do not match their checksums, so a corrupted download never
// reaches the boot control.
import { createHash } from 'node:crypto';
import type { ImageBuild } from '../../stack.ts';
import { buildAppImage, hash, splitDeclared, type AppDescriptor, type Chip } from './app-image.ts';
import { buildZip } from './fwzip.ts';
import { fsImage } from './fs.ts';

export const DEFAULT_BODY_SIZE = 40000;

export interface Part {
  src: string;
  type: 'app' | 'fs';
  size: number;
  cs_sha1: string;
}

export interface Manifest {
  name: string;
  platform: Chip;
  version: string;
  build_id: string;
  parts: Record<string, Part>;
}

export function buildId(version: string, declared: string): string {
  return `20260101-000000/${version}-g${hash(declared).toString(16).padStart(8, '0').slice(0, 7)}`;
}

/** Files every build ships: conf0.json holds the firmware's config defaults, as in real builds. */
export function shippedFiles(build: ImageBuild): Record<string, string> {
  const { app, version } = splitDeclared(build.version);
  return build.files ?? { 'conf0.json': JSON.stringify({ app, version, wifi: { ap: { enable: true } } }) };
}

export function buildFirmware(chip: Chip, build: ImageBuild, limits: { app: number; fs: number; writeSize: number }): Uint8Array {
  const { app, version } = splitDeclared(build.version);
  const d: AppDescriptor = { declared: build.version, app, version, boot: build.boot ?? 'ok', confirm: build.confirm ?? 'wait' };
  const appBin = buildAppImage(chip, d, build.size ?? DEFAULT_BODY_SIZE);
  const fsBin = fsImage(shippedFiles(build), limits.writeSize);
  const what = `mongoose-os image ${build.version}`;
  if (appBin.length > limits.app) throw new Error(`${what}: ${appBin.length}-byte app does not fit the ${limits.app}-byte app slot`);
  if (fsBin.length > limits.fs) throw new Error(`${what}: ${fsBin.length}-byte filesystem does not fit the ${limits.fs}-byte fs area`);
  const part = (src: string, type: Part['type'], data: Uint8Array): Part => ({
    src,
    type,
    size: data.length,
    cs_sha1: createHash('sha1').update(data).digest('hex'),
  });
  const manifest: Manifest = {
    name: app,
    platform: chip,
    version,
    build_id: buildId(version, build.version),
    parts: { app: part(`${app}.bin`, 'app', appBin), fs: part('fs.bin', 'fs', fsBin) },
  };
  return buildZip([
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2)) },
    { name: `${app}.bin`, data: appBin },
    { name: 'fs.bin', data: fsBin },
  ]);
}

/** What install() needs from a bundle: the two part images, without any checks. */
export function unpackFirmware(bundle: Uint8Array): { app: Uint8Array; fs: Uint8Array } {
  const out: Record<string, Uint8Array> = {};
  const buf = Buffer.from(bundle);
  for (let p = 0; buf.readUInt32LE(p) === 0x04034b50; ) {
    const size = buf.readUInt32LE(p + 18);
    const nameLen = buf.readUInt16LE(p + 26);
    const start = p + 30 + nameLen + buf.readUInt16LE(p + 28);
    out[buf.subarray(p + 30, p + 30 + nameLen).toString('utf8')] = bundle.slice(start, start + size);
    p = start + size;
  }
  const manifest = JSON.parse(Buffer.from(out['manifest.json'] ?? []).toString('utf8')) as Manifest;
  const app = out[manifest.parts.app?.src ?? ''];
  const fs = out[manifest.parts.fs?.src ?? ''];
  if (!app || !fs) throw new Error('mongoose-os install: the bundle lacks its app or fs part');
  return { app, fs };
}
