// USB HID relay boards driven directly with node-usb 3.x (WebUSB-style API), no helper tool.
//
// dcttech "USBRelayN" (16c0:05df, V-USB firmware): one 8-byte feature report, no report ID.
//   switch:  SET_REPORT  bmRequestType 0x20, bRequest 0x09, wValue 0x0300, wIndex 0,
//            data [0xFF (on) | 0xFD (off), channel, 0, 0, 0, 0, 0, 0]
//   read:    GET_REPORT  bmRequestType 0xA0, bRequest 0x01, wValue 0x0300, wIndex 0, length 8
//            -> bytes 0-4 the relay ID (ASCII; the USB serial string is empty on these boards),
//               byte 7 the relay bits, bit (channel - 1) set = on.
//   Recipient "device", not "interface": node-usb then sends the request on endpoint 0 without
//   claiming the interface, so the kernel's usbhid driver may stay bound. The firmware only
//   checks the class type and wValue.
// LCUS HID (5131:2007): frame [0xA0, channel, 0|1, sum of the three] written to the interrupt OUT
//   endpoint of interface 0; the board answers on the IN endpoint (read and dropped). Its state
//   cannot be read back, so state() is 'unknown'.
/// <reference types="w3c-web-usb" />
import { existsSync } from 'node:fs';
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { Channel } from '../rig/schema-parts.ts';
import { attempt, DEFAULT_HW_TIMEOUT_MS, PowerError, type PowerContext, type PowerState, type PowerSwitch } from './power-switch.ts';
import { hexBytes, lcusFrame } from './lcus.ts';
import { withTimeout } from './timeout.ts';

type HidRelayConfig = Static<typeof hidRelayPower.schema>;

const DRIVER = 'hid-relay';

export const DCTTECH_IDS = { vendorId: 0x16c0, productId: 0x05df } as const;
export const LCUS_HID_IDS = { vendorId: 0x5131, productId: 0x2007 } as const;

export const HID_SET_REPORT = 0x09;
export const HID_GET_REPORT = 0x01;
/** wValue: report type in the high byte (3 = feature), report ID 0 in the low byte. */
export const FEATURE_REPORT_0 = 0x0300;
export const CMD_ON = 0xff;
export const CMD_OFF = 0xfd;

export interface UsbControlSetup {
  requestType: 'standard' | 'class' | 'vendor';
  recipient: 'device' | 'interface' | 'endpoint' | 'other';
  request: number;
  value: number;
  index: number;
}

interface InResult {
  status?: string;
  data?: DataView;
}
interface OutResult {
  status?: string;
  bytesWritten: number;
}

/** The part of node-usb's device the driver uses. Tests hand in a recording fake. */
export interface HidRelayUsbDevice {
  readonly vendorId: number;
  readonly productId: number;
  readonly productName?: string | null;
  readonly opened: boolean;
  readonly configuration?: {
    interfaces: Array<{ interfaceNumber: number; alternate: { endpoints: Array<{ endpointNumber: number; direction: 'in' | 'out' }> } }>;
  } | null;
  open(): Promise<void>;
  close(): Promise<void>;
  controlTransferOut(setup: UsbControlSetup, data: Uint8Array): Promise<OutResult>;
  controlTransferIn(setup: UsbControlSetup, length: number): Promise<InResult>;
  claimInterface(interfaceNumber: number): Promise<void>;
  releaseInterface(interfaceNumber: number): Promise<void>;
  detachKernelDriver?(interfaceNumber: number): Promise<void>;
  transferOut(endpointNumber: number, data: Uint8Array): Promise<OutResult>;
  transferIn(endpointNumber: number, length: number): Promise<InResult>;
}

export interface UsbBus {
  getDevices(): Promise<HidRelayUsbDevice[]>;
}

const SET_FEATURE: UsbControlSetup = { requestType: 'class', recipient: 'device', request: HID_SET_REPORT, value: FEATURE_REPORT_0, index: 0 };
const GET_FEATURE: UsbControlSetup = { requestType: 'class', recipient: 'device', request: HID_GET_REPORT, value: FEATURE_REPORT_0, index: 0 };

/** node-usb, loaded only when a real relay is used so tests and sim rigs never touch it. */
async function nodeUsbBus(): Promise<UsbBus> {
  const { usb } = await import('usb');
  return { getDevices: () => usb.getDevices() };
}

export interface HidRelayOptions {
  bus?: UsbBus;
  timeoutMs?: number;
}

export class HidRelayPowerSwitch implements PowerSwitch {
  readonly description: string;
  private readonly model: 'dcttech' | 'lcus';
  private readonly ms: number;
  private dev: HidRelayUsbDevice | null = null;
  private relayId = '';

  constructor(
    private readonly config: HidRelayConfig,
    private readonly ctx: PowerContext,
    private readonly opts: HidRelayOptions = {},
  ) {
    this.model = config.model ?? 'dcttech';
    this.ms = opts.timeoutMs ?? DEFAULT_HW_TIMEOUT_MS;
    if (this.model === 'lcus' && config.serial !== undefined) {
      throw new PowerError(ctx.board, DRIVER, 'LCUS HID relays report no ID, so "serial" cannot select one; remove it');
    }
    this.description =
      this.model === 'lcus'
        ? `hid-relay lcus 5131:2007 channel ${config.channel}`
        : `hid-relay dcttech 16c0:05df ${config.serial ?? '(only relay)'} channel ${config.channel}`;
  }

  private hw<T>(what: string, p: Promise<T>): Promise<T> {
    return attempt(this.ctx.board, DRIVER, what, () => withTimeout(p, this.ms, what));
  }

  /** Clean-up whose failure changes nothing, still bounded in time. */
  private quietly(p: Promise<unknown>): Promise<void> {
    return withTimeout(p, this.ms, 'clean-up').then(
      () => undefined,
      () => undefined,
    );
  }

  private fail(detail: string): PowerError {
    return new PowerError(this.ctx.board, DRIVER, detail);
  }

  private async devices(): Promise<HidRelayUsbDevice[]> {
    const bus = this.opts.bus ?? (await attempt(this.ctx.board, DRIVER, 'loading the usb package', nodeUsbBus));
    try {
      return await withTimeout(bus.getDevices(), this.ms, 'listing USB devices');
    } catch (e) {
      // In a container or sandbox without /sys/bus/usb node-usb rejects here; say so plainly.
      const hint = process.platform === 'linux' && !existsSync('/sys/bus/usb')
        ? ' (/sys/bus/usb does not exist: no USB access here; in a container pass the USB bus through)'
        : '';
      throw new PowerError(this.ctx.board, DRIVER, `cannot list USB devices${hint}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Finds, opens and keeps the relay; after a failed transfer the next call searches again. */
  private async device(): Promise<HidRelayUsbDevice> {
    if (this.dev) return this.dev;
    const ids = this.model === 'lcus' ? LCUS_HID_IDS : DCTTECH_IDS;
    const all = (await this.devices()).filter((d) => d.vendorId === ids.vendorId && d.productId === ids.productId);
    const hex = `${hex4(ids.vendorId)}:${hex4(ids.productId)}`;
    if (all.length === 0) throw this.fail(`no ${this.model} USB relay (${hex}) is attached`);
    this.dev = this.model === 'lcus' ? await this.pickLcus(all) : await this.pickDcttech(all);
    return this.dev;
  }

  private async pickDcttech(all: HidRelayUsbDevice[]): Promise<HidRelayUsbDevice> {
    const want = this.config.serial;
    const seen: string[] = [];
    let chosen: HidRelayUsbDevice | undefined;
    for (const d of all) {
      try {
        if (!d.opened) await this.hw('opening the relay', d.open());
        const { id } = await this.readReport(d);
        seen.push(id);
        if (!chosen && (want === undefined || id === want)) chosen = d;
        else await this.quietly(d.close());
      } catch (e) {
        for (const x of new Set([d, chosen])) if (x) await this.quietly(x.close());
        throw e;
      }
    }
    if (want === undefined && all.length > 1) {
      if (chosen) await this.quietly(chosen.close());
      throw this.fail(`${all.length} dcttech relays are attached (IDs ${seen.join(', ')}); set "serial" to choose one`);
    }
    if (!chosen) throw this.fail(`no dcttech relay with ID ${want} (attached: ${seen.join(', ')})`);
    const n = /USBRelay(\d+)/.exec(chosen.productName ?? '')?.[1];
    if (n !== undefined && this.config.channel > Number(n)) {
      await this.quietly(chosen.close());
      throw this.fail(`relay ${seen[all.indexOf(chosen)]} has ${n} channels, there is no channel ${this.config.channel}`);
    }
    this.relayId = seen[all.indexOf(chosen)]!;
    return chosen;
  }

  private async pickLcus(all: HidRelayUsbDevice[]): Promise<HidRelayUsbDevice> {
    if (all.length > 1) throw this.fail(`${all.length} LCUS HID relays are attached and they carry no ID to tell them apart`);
    const d = all[0]!;
    if (!d.opened) await this.hw('opening the relay', d.open());
    // Interrupt transfers need the interface; usbhid holds it until detached (absent: fine).
    if (d.detachKernelDriver) await this.quietly(d.detachKernelDriver(0));
    await this.hw('claiming interface 0', d.claimInterface(0));
    return d;
  }

  /** GET_REPORT of the feature report: relay ID and relay bits. */
  private async readReport(d: HidRelayUsbDevice): Promise<{ id: string; bits: number }> {
    const r = await this.hw('GET_REPORT (feature)', d.controlTransferIn(GET_FEATURE, 8));
    if (r.status !== 'ok' || !r.data || r.data.byteLength < 8) {
      throw this.fail(`GET_REPORT (feature) returned ${r.status ?? 'nothing'} with ${r.data?.byteLength ?? 0} bytes, expected 8`);
    }
    const bytes = new Uint8Array(r.data.buffer, r.data.byteOffset, 8);
    const id = Buffer.from(bytes.subarray(0, 5)).toString('latin1').replace(/\0+$/, '');
    return { id, bits: bytes[7]! };
  }

  private async switchTo(target: 'on' | 'off'): Promise<void> {
    const ch = this.config.channel;
    try {
      const d = await this.device();
      if (this.model === 'lcus') return await this.lcusWrite(d, target);
      const data = Uint8Array.of(target === 'on' ? CMD_ON : CMD_OFF, ch, 0, 0, 0, 0, 0, 0);
      const r = await this.hw(`SET_REPORT ${target} channel ${ch}`, d.controlTransferOut(SET_FEATURE, data));
      if (r.status !== 'ok') throw this.fail(`SET_REPORT ${target} channel ${ch} returned ${r.status}`);
      // Read back: a relay that acknowledged but did not switch must not pass for a power cut.
      const { bits } = await this.readReport(d);
      const got = bits & (1 << (ch - 1)) ? 'on' : 'off';
      if (got !== target) throw this.fail(`relay ${this.relayId} channel ${ch} reads back ${got} after switching ${target}`);
    } catch (e) {
      await this.forget();
      throw e;
    }
  }

  private async lcusWrite(d: HidRelayUsbDevice, target: 'on' | 'off'): Promise<void> {
    const eps = d.configuration?.interfaces.find((i) => i.interfaceNumber === 0)?.alternate.endpoints ?? [];
    const out = eps.find((e) => e.direction === 'out');
    const inp = eps.find((e) => e.direction === 'in');
    if (!out) throw this.fail('the LCUS HID relay has no OUT endpoint on interface 0');
    const frame = lcusFrame(this.config.channel, target === 'on');
    const r = await this.hw(`writing ${hexBytes(frame)}`, d.transferOut(out.endpointNumber, frame));
    if (r.status !== 'ok' || r.bytesWritten !== frame.length) throw this.fail(`writing ${hexBytes(frame)} wrote ${r.bytesWritten} bytes (${r.status})`);
    // The board answers each frame; drain it so the answer is not mistaken for a later one.
    if (inp) await this.hw('reading the reply', d.transferIn(inp.endpointNumber, 64)).catch(() => undefined);
  }

  on(): Promise<void> {
    return this.switchTo('on');
  }

  off(): Promise<void> {
    return this.switchTo('off');
  }

  async state(): Promise<PowerState> {
    if (this.model === 'lcus') return 'unknown';
    try {
      const { bits } = await this.readReport(await this.device());
      return bits & (1 << (this.config.channel - 1)) ? 'on' : 'off';
    } catch (e) {
      await this.forget();
      throw e;
    }
  }

  private async forget(): Promise<void> {
    const d = this.dev;
    this.dev = null;
    if (d) await this.release(d);
  }

  private async release(d: HidRelayUsbDevice): Promise<void> {
    if (this.model === 'lcus') await this.quietly(d.releaseInterface(0));
    await this.quietly(d.close());
  }

  async close(): Promise<void> {
    const d = this.dev;
    this.dev = null;
    if (d) await this.release(d);
  }
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/** Rig entry `power: { kind: 'hid-relay', ... }`. */
export const hidRelayPower = defineKind({
  kind: 'hid-relay',
  description: 'USB HID relay board driven directly over USB',
  options: {
    model: Type.Optional(
      Type.Union([Type.Literal('dcttech'), Type.Literal('lcus')], {
        default: 'dcttech',
        description: 'dcttech: 16c0:05df "USBRelayN" (ID and state readable); lcus: 5131:2007 LCUS HID (write-only, no ID)',
      }),
    ),
    serial: Type.Optional(Type.String({ description: 'dcttech relay ID (5 characters, as `usbrelay` prints it); needed when several relays are attached' })),
    channel: Channel,
  },
  create: (config, ctx: PowerContext): PowerSwitch => new HidRelayPowerSwitch(config, ctx),
});
