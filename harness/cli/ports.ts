// `ota-hil ports [--rig FILE]`: the serial ports this machine has, each with its stable names (the
// udev links under /dev/serial/by-id and by-path) and USB identity, and which rig board uses it.
// What cannot be enumerated here (no udevadm, no /dev/serial) is said plainly.
import { readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import type { PortInfo } from '@serialport/bindings-interface';
import type { Rig } from '../rig/load.ts';
import type { PortRef } from '../rig/schema.ts';
import { describePortRef, serialRoot, stableLink } from '../console/ports.ts';
import { CliError, DEFAULT_RIG, KINDS_USAGE, loadRigWithKinds, parseBoardArgs, runCli } from './board-args.ts';
import { processIo, type CliIo } from './io.ts';

const USAGE = `usage: ota-hil ports [--rig FILE] [--kinds FILE]
  Serial ports with their stable ids (${serialRoot()}/by-id, by-path) and USB identities, and the
  rig boards (default ${DEFAULT_RIG}) whose console or serial relay is on each.
${KINDS_USAGE}`;

interface Row {
  device: string;
  links: string[];
  info?: PortInfo;
}

export function portsCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  return runCli(io, async () => {
    const args = parseBoardArgs(io, argv, USAGE);
    if (!args) return 0;
    const rig = await loadRigWithKinds(args);
    const root = serialRoot();
    const rows = new Map<string, Row>();
    const row = (device: string) => rows.get(device) ?? rows.set(device, { device, links: [] }).get(device)!;
    const notes: string[] = [];

    let linksSeen = false;
    for (const kind of ['by-id', 'by-path']) {
      let names: string[];
      try {
        names = readdirSync(path.join(root, kind));
        linksSeen = true;
      } catch {
        continue;
      }
      for (const n of names.sort()) {
        try {
          row(realpathSync(path.join(root, kind, n))).links.push(`${kind}/${n}`);
        } catch {
          notes.push(`${root}/${kind}/${n} is a dangling link (its device is gone)`);
        }
      }
    }
    if (!linksSeen) notes.push(`no ${root}/by-id or by-path: udev has made no stable links (no USB serial adapter plugged in, or no udev here, as in most containers)`);

    let listed = false;
    try {
      for (const p of await SerialPort.list()) row(safeRealpath(p.path)).info = p;
      listed = true;
    } catch (e) {
      notes.push(`cannot list serial ports: ${(e as Error).message.split('\n')[0]} (SerialPort.list runs udevadm on Linux: apt-get install udev)`);
    }
    if (!listed && !linksSeen) throw new CliError(`cannot enumerate serial ports on this machine:\n${notes.map((n) => `  ${n}`).join('\n')}`);

    const users = boardsByDevice(rig, root, [...rows.values()]);
    const out: string[] = [];
    for (const r of [...rows.values()].sort((a, b) => a.device.localeCompare(b.device))) {
      const i = r.info;
      const usb = i?.vendorId ? `usb ${i.vendorId}:${i.productId}${i.serialNumber ? ` serial ${i.serialNumber}` : ''}${i.locationId ? ` at ${i.locationId}` : ''}` : 'no USB identity';
      const who = [i?.manufacturer, i?.pnpId].filter(Boolean).join(' ');
      out.push(`${r.device}  ${usb}${who ? `  (${who})` : ''}`);
      for (const l of r.links) out.push(`    ${l}`);
      for (const u of users.get(r.device) ?? []) out.push(`    used by ${u}`);
    }
    io.stdout.write(out.length ? `${out.join('\n')}\n` : 'no serial ports found\n');
    const missing = [...(users.get('') ?? [])];
    for (const m of missing) notes.push(`not present: ${m}`);
    const sims = rig.boards.filter((b) => b.sim).map((b) => b.name);
    if (sims.length) notes.push(`simulated in ${rig.name}: ${sims.join(', ')}; their ports exist only while a run (or ota-hil console/power) simulates them`);
    if (notes.length) io.stdout.write(`${notes.map((n) => `note: ${n}`).join('\n')}\n`);
    return 0;
  });
}

/** Device node → "rig/board console (by-id/...)" for every port ref of the rig that resolves now; '' collects the absent ones. */
function boardsByDevice(rig: Rig, root: string, rows: Row[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (dev: string, what: string) => out.set(dev, [...(out.get(dev) ?? []), what]);
  for (const b of rig.boards) {
    const refs: [string, PortRef][] = [['console', b.console.port]];
    if (b.power.kind === 'serial-relay') refs.push(['serial relay', b.power.port]);
    for (const [role, ref] of refs) {
      if ('sim' in ref) continue;
      if ('usb' in ref) {
        const u = ref.usb;
        const hit = rows.find((r) => r.info?.vendorId?.toLowerCase() === u.vendorId.toLowerCase() && r.info.productId?.toLowerCase() === u.productId.toLowerCase() && (u.serialNumber === undefined || r.info.serialNumber === u.serialNumber) && (u.location === undefined || r.info.locationId === u.location));
        add(hit?.device ?? '', `${rig.name}/${b.name} ${role} (${describePortRef(ref)})`);
        continue;
      }
      const file = 'path' in ref ? ref.path : stableLink(ref, root)!;
      const dev = safeRealpath(file, '');
      add(dev, `${rig.name}/${b.name} ${role} (${describePortRef(ref)})`);
    }
  }
  return out;
}

function safeRealpath(file: string, fallback = file): string {
  try {
    return realpathSync(file);
  } catch {
    return fallback;
  }
}
