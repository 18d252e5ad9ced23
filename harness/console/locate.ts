// Where a console port is right now. A USB-serial adapter powered by the board vanishes with the
// power and comes back under whatever name the kernel gives it next (/dev/ttyUSB3 may return as
// /dev/ttyUSB4); only the stable link or the USB identity stays. A locator answers "which device
// node is it now" and "is the node I opened still that device".
import { realpath, stat } from 'node:fs/promises';
import type { PortRef } from '../rig/schema.ts';
import { describePortRef, findUsbPort, stableLink, type PortLookupOptions } from './ports.ts';

export interface Located {
  /** The device node to open (the link resolved, so a later repointing is noticed). */
  device: string;
  /** Identity of that node: a recreated node with the same name has another one. */
  key: string;
}

export interface PortLocator {
  /** How the rig names the port, for messages: "by-id/usb-FTDI_…", "/dev/ttyUSB0". */
  readonly describe: string;
  /** Full lookup; undefined while the port is absent. Throws only when looking is impossible. */
  locate(): Promise<Located | undefined>;
  /** Cheap re-check of the open port: undefined while it is still the same device, else why not. */
  check(current: Located): Promise<string | undefined>;
  /** Minimum ms between two locate() calls while absent (listing USB ports runs udevadm). */
  readonly minPollMs: number;
  /** A path other programs can open that stays valid across re-enumeration (the stable link). */
  readonly file?: string;
}

/** A device node itself, or a symlink to one (a by-id link, or a link a test repoints). */
export function fileLocator(file: string, describe = file): PortLocator {
  const locate = async (): Promise<Located | undefined> => nodeAt(file);
  return {
    describe,
    minPollMs: 0,
    file,
    locate,
    async check(current) {
      const now = await locate();
      if (!now) return `${describe} is gone`;
      if (now.key !== current.key) return now.device === current.device ? `${describe} was recreated` : `${describe} now leads to ${now.device}`;
      return undefined;
    },
  };
}

/** A USB vendor/product (serial, location) identity, found by listing ports. */
export function usbLocator(ref: Extract<PortRef, { usb: unknown }>, board: string, list?: PortLookupOptions['list']): PortLocator {
  const describe = describePortRef(ref);
  return {
    describe,
    minPollMs: 500,
    async locate() {
      const hit = await findUsbPort(ref, board, list);
      return hit ? nodeAt(hit.path) : undefined;
    },
    // The node the kernel made for the adapter disappears with it; no need to list USB again.
    async check(current) {
      const now = await nodeAt(current.device);
      if (!now) return `${describe} (${current.device}) is gone`;
      return now.key === current.key ? undefined : `${current.device} was recreated`;
    },
  };
}

/** A port that cannot vanish (a simulated board's in-process UART). */
export function fixedLocator(path: string): PortLocator {
  const here: Located = { device: path, key: path };
  return { describe: path, minPollMs: 0, locate: () => Promise.resolve(here), check: () => Promise.resolve(undefined) };
}

export function locatorFor(ref: PortRef, board: string, opts: PortLookupOptions = {}): PortLocator {
  if ('sim' in ref) throw new Error(`${board}: a sim console port can only be opened on a simulated board`);
  if ('path' in ref) return fileLocator(ref.path);
  if ('usb' in ref) return usbLocator(ref, board, opts.list);
  return fileLocator(stableLink(ref, opts.root)!, describePortRef(ref));
}

async function nodeAt(file: string): Promise<Located | undefined> {
  try {
    const device = await realpath(file);
    const st = await stat(device);
    // Not ctime: udev's chmod right after the node appears would look like a new device.
    return { device, key: `${device}#${st.dev}:${st.ino}:${st.rdev}` };
  } catch (e) {
    if (['ENOENT', 'ENOTDIR', 'ELOOP'].includes((e as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw e;
  }
}
