// Advice on a valid rig: things that work today but break on a real rig later. A console or relay
// named by /dev/ttyUSBn or /dev/ttyACMn gets another number when the adapter re-enumerates (a power
// cut on a board that powers its adapter, a re-plug), so the harness may open the wrong board's port.
import type { Rig } from './load.ts';
import type { PortRef } from './schema.ts';

const UNSTABLE = /^\/dev\/tty(?:USB|ACM)\d+$/;

export function rigAdvice(rig: Rig): string[] {
  const out: string[] = [];
  const check = (ref: PortRef, pointer: string) => {
    if ('path' in ref && UNSTABLE.test(ref.path)) {
      out.push(`${pointer}: ${ref.path} can change number when the adapter re-enumerates; name it by byId, byPath or usb (npx ota-hil ports lists them)`);
    }
  };
  rig.boards.forEach((b, i) => {
    check(b.console.port, `/boards/${i}/console/port/path`);
    if (b.power.kind === 'serial-relay') check(b.power.port, `/boards/${i}/power/port/path`);
  });
  return out;
}
