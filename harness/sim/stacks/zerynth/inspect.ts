// Programmer (install) and debugger (inspect) views of the simulated Zerynth-style board's flash.
import type { NorFlash } from '../../flash.ts';
import type { FlashVerdict } from '../../stack.ts';
import type { Layout } from './layout.ts';
import { checkImage, readAppInfo } from './image.ts';
import { journalDone, readRecord, stateName } from './record.ts';

/** A chip erase, then the firmware at its slot: no record (idle), no backup, not provisioned. */
export function install(flash: NorFlash, l: Layout, image: Uint8Array): void {
  if (image.length > l.slotSize) throw new Error(`zerynth install: ${image.length}-byte image does not fit the ${l.slotSize}-byte slot`);
  flash.erase(0, l.flashSize);
  const padded = new Uint8Array(Math.ceil(image.length / l.writeSize) * l.writeSize).fill(0xff);
  padded.set(image);
  flash.program(l.firmware, padded);
}

export function inspect(flash: NorFlash, l: Layout): FlashVerdict {
  const { rec } = readRecord(flash, l);
  const fw = checkImage(flash, l.firmware, l.slotSize);
  const fs = checkImage(flash, l.staging, l.slotSize);
  const ctx = `record seq ${rec.seq} ${stateName(rec.state)}, journal ${journalDone(flash, l)} steps; filesystem copy: ${fs.ok ? fs.version : fs.reason}`;
  if (!fw.ok) return { slot: 'none', version: null, detail: `firmware slot: ${fw.reason}; ${ctx}` };
  const app = readAppInfo(flash, l.firmware);
  return { slot: 'bc0', version: app?.version ?? fw.version, detail: `firmware ${fw.version} verified; ${ctx}` };
}
