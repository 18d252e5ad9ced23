// Advice on a valid rig: things that pass the schema but break a run later. A console or relay
// named by /dev/ttyUSBn or /dev/ttyACMn gets another number when the adapter re-enumerates (a power
// cut on a board that powers its adapter, a re-plug), so the harness may open the wrong board's port.
// An image file that is not there fails every scenario of the night; a build may still make it.
import { existsSync } from 'node:fs';
import path from 'node:path';
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
  const image = (spec: { file?: string }, pointer: string) => {
    if (spec.file && !existsSync(path.resolve(path.dirname(rig.file), spec.file))) out.push(`${pointer}: ${spec.file} does not exist (yet)`);
  };
  for (const [name, spec] of Object.entries(rig.images)) image(spec, `/images/${name}/file`);
  rig.boards.forEach((b, i) => {
    check(b.console.port, `/boards/${i}/console/port/path`);
    if (b.power.kind === 'serial-relay') check(b.power.port, `/boards/${i}/power/port/path`);
    for (const [name, spec] of Object.entries(b.images ?? {})) image(spec, `/boards/${i}/images/${name}/file`);
  });
  return out;
}
