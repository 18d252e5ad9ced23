// Programmer (install) and debugger (inspect) views of the simulated Particle-style board's flash.
import type { NorFlash } from '../../flash.ts';
import type { FlashVerdict } from '../../stack.ts';
import type { Layout } from './layout.ts';
import { checkModule } from './module.ts';
import { readSlot } from './dct.ts';

/** Erase the chip and write the user module in place, as `particle flash --usb` would. */
export function install(flash: NorFlash, l: Layout, module: Uint8Array): void {
  if (module.length > l.slotSize) throw new Error(`particle install: ${module.length}-byte module does not fit the ${l.slotSize}-byte user slot`);
  flash.erase(0, l.flashSize);
  const padded = new Uint8Array(Math.ceil(module.length / l.writeSize) * l.writeSize).fill(0xff);
  padded.set(module);
  flash.program(l.user, padded);
}

export function inspect(flash: NorFlash, l: Layout): FlashVerdict {
  const slot = readSlot(flash, l);
  const ota = checkModule(flash, l.ota, l.slotSize);
  const ctx = `module slot ${slot ? `set (${slot.length} bytes)` : 'unused'}; OTA region: ${ota.ok ? (ota.info?.version ?? 'module') : ota.reason}`;
  const user = checkModule(flash, l.user, l.slotSize);
  if (!user.ok || !user.info) return { slot: 'safe-mode', version: null, detail: `user module ${user.ok ? 'not an application' : user.reason}: Device OS would run in safe mode; ${ctx}` };
  return { slot: 'user', version: user.info.version, detail: `user module ${user.info.version} valid (boot=${user.info.boot}); ${ctx}` };
}
