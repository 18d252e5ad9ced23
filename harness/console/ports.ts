// Resolves a rig's port reference to a device path. Stable links (by-id, by-path) and USB
// identities survive re-enumeration after a power cut; a bare /dev/ttyUSBn does not.
import { existsSync } from 'node:fs';
import type { PortInfo } from '@serialport/bindings-interface';
import type { PortRef } from '../rig/schema.ts';

/** Lists serial ports; SerialPort.list by default (on Linux it runs udevadm). */
export type ListPorts = () => Promise<PortInfo[]>;

/** serialport is loaded when a port is first looked up, not with every rig that merely names one. */
const listPorts: ListPorts = async () => (await import('serialport')).SerialPort.list();

export interface PortLookupOptions {
  /** Where the by-id/ and by-path/ links live (default serialRoot()). */
  root?: string;
  list?: ListPorts;
  /** What the port is for, in errors: a board's console (default) or its relay. */
  role?: 'console' | 'relay';
}

/**
 * Where udev puts the stable links. OTA_HIL_SERIAL_ROOT moves it: tests play udev with links they
 * control, and a rig host may keep its own udev rules' links elsewhere.
 */
export function serialRoot(): string {
  return process.env.OTA_HIL_SERIAL_ROOT || '/dev/serial';
}

/** The link a by-id / by-path reference names; undefined for other kinds. */
export function stableLink(ref: PortRef, root = serialRoot()): string | undefined {
  if ('byId' in ref) return `${root}/by-id/${ref.byId}`;
  if ('byPath' in ref) return `${root}/by-path/${ref.byPath}`;
  return undefined;
}

/** An error message of this module without its leading "board: ", for a caller that names the board itself. */
export const withoutBoard = (message: string, board: string): string => (message.startsWith(`${board}: `) ? message.slice(board.length + 2) : message);

export function describePortRef(ref: PortRef): string {
  if ('path' in ref) return ref.path;
  if ('byId' in ref) return `by-id/${ref.byId}`;
  if ('byPath' in ref) return `by-path/${ref.byPath}`;
  if ('usb' in ref) {
    const u = ref.usb;
    return `usb ${u.vendorId}:${u.productId}${u.serialNumber ? ` serial ${u.serialNumber}` : ''}${u.location ? ` at ${u.location}` : ''}`;
  }
  return 'sim';
}

export async function resolvePort(ref: PortRef, board: string, opts: PortLookupOptions = {}): Promise<string> {
  if ('sim' in ref) throw new Error(`${board}: a sim console port can only be opened on a simulated board`);
  if ('path' in ref) return ref.path;
  if (!('usb' in ref)) {
    const link = stableLink(ref, opts.root)!;
    if (!existsSync(link)) {
      const hint = opts.role === 'relay' ? 'relay unplugged, or a wrong link in the rig?' : 'adapter unplugged, or the board is powered off?';
      throw new Error(`${board}: ${opts.role ?? 'console'} ${link} is not present (${hint})`);
    }
    return link;
  }
  const hit = await findUsbPort(ref, board, opts.list);
  if (!hit) throw new Error(`${board}: no serial port with ${describePortRef(ref)}`);
  return hit.path;
}

/** The port matching a USB identity, or undefined; throws when ports cannot be listed at all. */
export async function findUsbPort(ref: Extract<PortRef, { usb: unknown }>, board: string, list: ListPorts = listPorts): Promise<PortInfo | undefined> {
  let ports: PortInfo[];
  try {
    ports = await list();
  } catch (e) {
    throw new Error(`${board}: cannot enumerate serial ports to find ${describePortRef(ref)} (${(e as Error).message}; is udevadm installed?)`);
  }
  const want = ref.usb;
  return ports.find(
    (p) =>
      p.vendorId?.toLowerCase() === want.vendorId.toLowerCase() &&
      p.productId?.toLowerCase() === want.productId.toLowerCase() &&
      (want.serialNumber === undefined || p.serialNumber === want.serialNumber) &&
      (want.location === undefined || p.locationId === want.location),
  );
}
