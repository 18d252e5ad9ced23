// `ota-hil relays [--rig FILE]`: USB relay boards found through node-usb (dcttech "USBRelayN"
// 16c0:05df with their ID and relay states read from the feature report, LCUS HID 5131:2007, and
// CH340 1a86:7523 chips that LCUS serial relays sit behind), and the rig boards switched by each
// kind. In a sandbox without /sys/bus/usb node-usb rejects: that is said plainly.
import { existsSync } from 'node:fs';
import { DCTTECH_IDS, FEATURE_REPORT_0, HID_GET_REPORT, LCUS_HID_IDS, type HidRelayUsbDevice, type UsbBus } from '../power/hid-relay.ts';
import { withTimeout } from '../console/reconnecting-port.ts';
import { CliError, DEFAULT_RIG, loadRigOrFail, parseBoardArgs, runCli } from './board-args.ts';
import type { Rig } from '../rig/load.ts';
import { processIo, type CliIo } from './io.ts';

const USAGE = `usage: ota-hil relays [--rig FILE]
  USB relays on this machine, and which boards of the rig (default ${DEFAULT_RIG}) use which relay.
`;

const CH340 = { vendorId: 0x1a86, productId: 0x7523 };
const hex4 = (n: number) => n.toString(16).padStart(4, '0');
const is = (d: HidRelayUsbDevice, ids: { vendorId: number; productId: number }) => d.vendorId === ids.vendorId && d.productId === ids.productId;

/** One line per relay found on `bus`; a device that cannot be opened is listed with the reason. */
export async function listRelays(bus: UsbBus, timeoutMs = 3000): Promise<string[]> {
  const devices = await withTimeout(bus.getDevices(), timeoutMs, 'listing USB devices');
  const out: string[] = [];
  for (const d of devices) {
    const id = `${hex4(d.vendorId)}:${hex4(d.productId)}`;
    if (is(d, DCTTECH_IDS)) out.push(`${id}  dcttech ${d.productName ?? 'USBRelay'}  ${await dcttechState(d, timeoutMs)}`);
    else if (is(d, LCUS_HID_IDS)) out.push(`${id}  LCUS HID relay (write-only: no ID, no state)  power kind "hid-relay", model "lcus"`);
    else if (is(d, CH340)) out.push(`${id}  CH340 USB-serial: an LCUS serial relay, or any CH340 adapter (see \`ota-hil ports\`)  power kind "serial-relay"`);
  }
  return out;
}

/** The relay ID and the states from feature report 0, as the driver reads them. */
async function dcttechState(d: HidRelayUsbDevice, ms: number): Promise<string> {
  const channels = Number(/USBRelay(\d)/.exec(d.productName ?? '')?.[1] ?? 2);
  try {
    if (!d.opened) await withTimeout(d.open(), ms, 'open');
    const r = await withTimeout(d.controlTransferIn({ requestType: 'class', recipient: 'device', request: HID_GET_REPORT, value: FEATURE_REPORT_0, index: 0 }, 8), ms, 'GET_REPORT');
    if (r.status !== 'ok' || !r.data || r.data.byteLength < 8) return `(no feature report: ${r.status ?? 'no data'})`;
    const bytes = new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    const relayId = Buffer.from(bytes.subarray(0, 5)).toString('latin1').replace(/\0+$/, '');
    const states = Array.from({ length: channels }, (_, i) => `${i + 1}=${(bytes[7]! >> i) & 1 ? 'on' : 'off'}`).join(' ');
    return `ID ${relayId}  ${states}  power kind "hid-relay", serial "${relayId}"`;
  } catch (e) {
    return `(cannot open it: ${(e as Error).message}; a udev rule giving your user access is needed)`;
  } finally {
    await withTimeout(d.close(), ms, 'close').catch(() => undefined);
  }
}

export function relaysCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  return runCli(io, async () => {
    const args = parseBoardArgs(io, argv, USAGE);
    if (!args) return 0;
    const rig = loadRigOrFail(args.values.rig);
    let bus: UsbBus;
    try {
      const { usb } = await import('usb');
      bus = { getDevices: () => usb.getDevices() };
    } catch (e) {
      throw new CliError(`cannot load the usb package: ${(e as Error).message}`);
    }
    let lines: string[];
    try {
      lines = await listRelays(bus);
    } catch (e) {
      const why = process.platform === 'linux' && !existsSync('/sys/bus/usb') ? '\n  there is no /sys/bus/usb here: no USB access (in a container, pass the USB bus through)' : '';
      // What the rig expects is still worth seeing: it is what to plug in.
      io.stdout.write(rigRelays(rig));
      throw new CliError(`cannot enumerate USB devices: ${(e as Error).message}${why}`);
    }
    io.stdout.write(lines.length ? `${lines.join('\n')}\n` : 'no USB relays found (dcttech 16c0:05df, LCUS HID 5131:2007, CH340 1a86:7523)\n');
    io.stdout.write(rigRelays(rig));
    return 0;
  });
}

/** The rig's boards switched by a relay, one line each: what should be plugged in. */
function rigRelays(rig: Rig): string {
  let out = '';
  for (const b of rig.boards) {
    const p = b.power;
    if (p.kind === 'hid-relay') out += `${rig.name}/${b.name}: hid-relay ${p.model ?? 'dcttech'} ${p.serial ?? ''} channel ${p.channel}\n`;
    if (p.kind === 'serial-relay') out += `${rig.name}/${b.name}: serial-relay ${'sim' in p.port ? '(simulated)' : JSON.stringify(p.port)} channel ${p.channel}\n`;
    if (p.kind === 'usbrelay') out += `${rig.name}/${b.name}: usbrelay ${p.serial} channel ${p.channel}\n`;
  }
  return out;
}
