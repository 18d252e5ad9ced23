// What a programmer does (install) and what a debugger reads back (inspect) on the ESP8266 board:
// inspect decodes rboot_config from raw flash and follows rBoot's own choice, including the
// fallback a pending second attempt would take and the walk past a bad ROM.
import type { NorFlash } from '../../flash.ts';
import type { FlashVerdict } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { checkAppImage, readDescriptor } from '../mongoose-os/app-image.ts';
import { unpackFirmware } from '../mongoose-os/firmware.ts';
import type { Area } from '../mongoose-os/platform.ts';
import { rbootLayout } from './layout.ts';
import { defaultConfig, describeConfig, encodeConfig, readConfig } from './config.ts';

function programPadded(flash: NorFlash, area: Area, data: Uint8Array, writeSize: number): void {
  if (data.length > area.size) throw new Error(`rboot install: ${data.length} bytes do not fit 0x${area.size.toString(16)}`);
  const padded = new Uint8Array(Math.ceil(data.length / writeSize) * writeSize).fill(0xff);
  padded.set(data);
  flash.program(area.off, padded);
}

/** `mos flash`: the boot config (rom 0, committed), rom0 and its filesystem; rom1 erased. */
export function installRboot(flash: NorFlash, bundle: Uint8Array, config: SimConfig): void {
  const l = rbootLayout(config);
  const { app, fs } = unpackFirmware(bundle);
  flash.erase(l.configAddr, l.sectorSize);
  for (const s of l.slots) for (const a of [s.app, s.fs]) flash.erase(a.off, a.size);
  flash.program(l.configAddr, encodeConfig(defaultConfig(l.slots.map((s) => s.app.off))));
  programPadded(flash, l.slots[0]!.app, app, l.writeSize);
  programPadded(flash, l.slots[0]!.fs, fs, l.writeSize);
}

export function inspectRboot(flash: NorFlash, config: SimConfig): FlashVerdict {
  const l = rbootLayout(config);
  const cfg = readConfig(flash, l.configAddr);
  const c = cfg ?? defaultConfig(l.slots.map((s) => s.app.off));
  const images = l.slots.map((s) => {
    const check = checkAppImage(flash, s.app.off, s.app.size, 'esp8266');
    return { s, ok: check.ok, why: check.ok ? '' : check.reason, d: check.ok ? readDescriptor(flash, s.app.off, 'esp8266') : null };
  });
  const parts = [
    describeConfig(cfg) + (cfg ? '' : ' (rBoot writes its default: rom 0)'),
    ...images.map(({ s, ok, why, d }) => `${s.name}: ${ok ? (d ? `${d.declared} boot=${d.boot} confirm=${d.confirm}` : 'not a simulated app') : why}`),
  ];
  let rom = c.currentRom < c.count ? c.currentRom : 0;
  let state = c.isFirstBoot ? (c.fwUpdated ? (c.bootAttempts > 0 ? 'trial (a reset falls back)' : 'trial pending') : 'fallen back') : 'committed';
  // A trial that already had its attempt runs now; the next boot would fall back, but not yet.
  const start = rom;
  while (!images[rom]?.ok) {
    rom = rom === 0 ? c.count - 1 : rom - 1;
    state = 'rolled back past a bad rom';
    if (rom === start) return { slot: 'none', version: null, detail: `no good rom; ${parts.join('; ')}` };
  }
  return { slot: l.slots[rom]!.name, version: images[rom]!.d?.declared ?? null, detail: `${l.slots[rom]!.name} runs, ${state}; ${parts.join('; ')}` };
}
