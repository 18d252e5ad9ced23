// Resolves a rig's port reference to a device path. Stable links (by-id, by-path) and USB
// identities survive re-enumeration after a power cut; a bare /dev/ttyUSBn does not.
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { PortRef } from '../rig/schema.ts';

export async function resolvePort(ref: PortRef, board: string): Promise<string> {
  if ('sim' in ref) throw new Error(`${board}: a sim console port can only be opened on a simulated board`);
  if ('path' in ref) return ref.path;
  if ('byId' in ref || 'byPath' in ref) {
    const link = 'byId' in ref ? `/dev/serial/by-id/${ref.byId}` : `/dev/serial/by-path/${ref.byPath}`;
    if (!existsSync(link)) throw new Error(`${board}: console ${link} is not present (adapter unplugged, or the board is powered off?)`);
    return link;
  }
  let ports: Awaited<ReturnType<typeof SerialPort.list>>;
  try {
    ports = await SerialPort.list();
  } catch (e) {
    throw new Error(`${board}: cannot enumerate serial ports to find USB ${ref.usb.vendorId}:${ref.usb.productId} (${(e as Error).message}; is udevadm installed?)`);
  }
  const want = ref.usb;
  const hit = ports.find(
    (p) =>
      p.vendorId?.toLowerCase() === want.vendorId.toLowerCase() &&
      p.productId?.toLowerCase() === want.productId.toLowerCase() &&
      (want.serialNumber === undefined || p.serialNumber === want.serialNumber) &&
      (want.location === undefined || p.locationId === want.location),
  );
  if (!hit) throw new Error(`${board}: no serial port with USB ${want.vendorId}:${want.productId}${want.serialNumber ? ` serial ${want.serialNumber}` : ''}`);
  return hit.path;
}
