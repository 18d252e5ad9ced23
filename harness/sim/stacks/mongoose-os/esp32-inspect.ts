// What a programmer does (install) and what a debugger reads back (inspect) on the ESP32 board.
// inspect decodes otadata and the NVS flag from raw flash: during a trial the otadata already
// names the old slot again (the tombstone), so the flag says which slot really runs.
import type { NorFlash } from '../../flash.ts';
import type { FlashVerdict } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { esp32Layout } from './esp32-layout.ts';
import { selectOtadata } from './esp32-otadata.ts';
import { nvsRead } from './esp32-nvs.ts';
import { NVS_KEY, decodeFlag } from './esp32-platform.ts';
import { checkAppImage, readDescriptor } from './app-image.ts';
import { unpackFirmware } from './firmware.ts';
import type { Area } from './platform.ts';

function programPadded(flash: NorFlash, area: Area, data: Uint8Array, writeSize: number): void {
  if (data.length > area.size) throw new Error(`mongoose-os install: ${data.length} bytes do not fit 0x${area.size.toString(16)}`);
  const padded = new Uint8Array(Math.ceil(data.length / writeSize) * writeSize).fill(0xff);
  padded.set(data);
  flash.program(area.off, padded);
}

/** `mos flash`: erase nvs, otadata and both slots; app and filesystem into slot 0. */
export function installEsp32(flash: NorFlash, bundle: Uint8Array, config: SimConfig): void {
  const l = esp32Layout(config);
  const { app, fs } = unpackFirmware(bundle);
  for (const a of [l.nvs, l.otadata, ...l.slots.flatMap((s) => [s.app, s.fs])]) flash.erase(a.off, a.size);
  programPadded(flash, l.slots[0]!.app, app, l.writeSize);
  programPadded(flash, l.slots[0]!.fs, fs, l.writeSize);
}

export function inspectEsp32(flash: NorFlash, config: SimConfig): FlashVerdict {
  const l = esp32Layout(config);
  const sel = selectOtadata(flash, l.otadata, l.sectorSize, l.slots.length);
  const raw = nvsRead(flash, l.nvs, l.sectorSize).get(NVS_KEY);
  const f = decodeFlag(raw);
  const images = l.slots.map((s) => {
    const check = checkAppImage(flash, s.app.off, s.app.size, 'esp32');
    const d = check.ok ? readDescriptor(flash, s.app.off, 'esp32') : null;
    return { s, check, d };
  });
  const parts = [
    sel.copy < 0 ? 'otadata empty → app_0' : `otadata copy ${sel.copy} seq ${sel.seq} → ${l.slots[sel.slot]!.name}`,
    `${NVS_KEY}=${raw === undefined ? 'unset' : `0x${raw.toString(16)}`}`,
    ...images.map(({ s, check, d }) => `${s.name}: ${check.ok ? (d ? `${d.declared} boot=${d.boot} confirm=${d.confirm}` : 'not a simulated app') : check.reason}`),
  ];
  // The bootloader's choice, falling through to the other slot when that image is bad.
  let running = [sel.slot, 1 - sel.slot].find((i) => images[i]!.check.ok) ?? null;
  let state = 'committed';
  if (f.firstBoot && images[f.new]?.check.ok) {
    if (running === f.new) state = 'trial pending (first boot not yet run)';
    else if (running === f.old) {
      running = f.new;
      state = 'trial (tombstoned: a reset returns to the old slot)';
    }
  }
  if (running === null) return { slot: 'none', version: null, detail: `nothing bootable; ${parts.join('; ')}` };
  const d = images[running]!.d;
  return { slot: l.slots[running]!.name, version: d?.declared ?? null, detail: `${l.slots[running]!.name} runs, ${state}; ${parts.join('; ')}` };
}
