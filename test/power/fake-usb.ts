// Fake USB relay devices for the hid-relay driver. They record every transfer the driver makes,
// byte for byte, and behave like the firmware: the dcttech fake answers only class requests with
// wValue 0x0300 (as the V-USB firmware does) and keeps the relay bits the SET_REPORTs produce.
import type { HidRelayUsbDevice, UsbBus, UsbControlSetup } from '../../harness/power/hid-relay.ts';

export type Transfer =
  | { kind: 'controlOut'; setup: UsbControlSetup; data: number[] }
  | { kind: 'controlIn'; setup: UsbControlSetup; length: number }
  | { kind: 'out'; endpoint: number; data: number[] }
  | { kind: 'in'; endpoint: number; length: number };

abstract class FakeDevice implements HidRelayUsbDevice {
  abstract readonly vendorId: number;
  abstract readonly productId: number;
  readonly productName: string | null = null;
  opened = false;
  readonly log: Transfer[] = [];
  readonly calls: string[] = [];
  configuration: HidRelayUsbDevice['configuration'] = null;

  open(): Promise<void> {
    this.calls.push('open');
    this.opened = true;
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.calls.push('close');
    this.opened = false;
    return Promise.resolve();
  }
  claimInterface(n: number): Promise<void> {
    this.calls.push(`claim ${n}`);
    return Promise.resolve();
  }
  releaseInterface(n: number): Promise<void> {
    this.calls.push(`release ${n}`);
    return Promise.resolve();
  }
  detachKernelDriver(n: number): Promise<void> {
    this.calls.push(`detach ${n}`);
    return Promise.resolve();
  }
  protected needOpen(): void {
    if (!this.opened) throw new Error('device not open');
  }
  controlTransferOut(setup: UsbControlSetup, data: Uint8Array): Promise<{ status: 'ok' | 'stall'; bytesWritten: number }> {
    this.needOpen();
    this.log.push({ kind: 'controlOut', setup: { ...setup }, data: [...data] });
    return Promise.resolve({ status: 'stall', bytesWritten: 0 });
  }
  controlTransferIn(setup: UsbControlSetup, length: number): Promise<{ status: 'ok' | 'stall'; data?: DataView }> {
    this.needOpen();
    this.log.push({ kind: 'controlIn', setup: { ...setup }, length });
    return Promise.resolve({ status: 'stall' });
  }
  transferOut(endpoint: number, data: Uint8Array): Promise<{ status: 'ok' | 'stall'; bytesWritten: number }> {
    this.needOpen();
    this.log.push({ kind: 'out', endpoint, data: [...data] });
    return Promise.resolve({ status: 'stall', bytesWritten: 0 });
  }
  transferIn(endpoint: number, length: number): Promise<{ status: 'ok' | 'stall'; data?: DataView }> {
    this.needOpen();
    this.log.push({ kind: 'in', endpoint, length });
    return Promise.resolve({ status: 'stall' });
  }
}

/** A dcttech USBRelayN board: ID and relay bits in its one 8-byte feature report. */
export class FakeDcttech extends FakeDevice {
  readonly vendorId = 0x16c0;
  readonly productId = 0x05df;
  override readonly productName: string;
  bits = 0;
  /** A relay whose coil or firmware is dead: acknowledges SET_REPORT and changes nothing. */
  stuck = false;
  /** Never completes a transfer (a wedged device). */
  hang = false;

  constructor(
    readonly id: string,
    readonly channels = 2,
  ) {
    super();
    this.productName = `USBRelay${channels}`;
  }

  private isFeature0(s: UsbControlSetup): boolean {
    return s.requestType === 'class' && s.value === 0x0300;
  }

  override async controlTransferOut(setup: UsbControlSetup, data: Uint8Array) {
    await super.controlTransferOut(setup, data);
    if (this.hang) return new Promise<never>(() => undefined);
    if (!this.isFeature0(setup) || setup.request !== 0x09) return { status: 'stall' as const, bytesWritten: 0 };
    const [cmd, ch] = data;
    if (!this.stuck && ch !== undefined && ch >= 1 && ch <= this.channels) {
      if (cmd === 0xff) this.bits |= 1 << (ch - 1);
      if (cmd === 0xfd) this.bits &= ~(1 << (ch - 1));
    }
    return { status: 'ok' as const, bytesWritten: data.length };
  }

  override async controlTransferIn(setup: UsbControlSetup, length: number) {
    await super.controlTransferIn(setup, length);
    if (this.hang) return new Promise<never>(() => undefined);
    if (!this.isFeature0(setup) || setup.request !== 0x01) return { status: 'stall' as const };
    const report = new Uint8Array(8);
    report.set(Buffer.from(this.id.padEnd(5, '\0').slice(0, 5), 'latin1'));
    report[7] = this.bits;
    return { status: 'ok' as const, data: new DataView(report.buffer, 0, Math.min(length, 8)) };
  }
}

/** An LCUS HID board: frames to interrupt OUT endpoint 2, an answer on IN endpoint 1. */
export class FakeLcusHid extends FakeDevice {
  readonly vendorId = 0x5131;
  readonly productId = 0x2007;
  readonly frames: number[][] = [];

  constructor() {
    super();
    this.configuration = {
      interfaces: [
        {
          interfaceNumber: 0,
          alternate: {
            endpoints: [
              { endpointNumber: 1, direction: 'in' },
              { endpointNumber: 2, direction: 'out' },
            ],
          },
        },
      ],
    };
  }

  override async transferOut(endpoint: number, data: Uint8Array) {
    await super.transferOut(endpoint, data);
    if (!this.calls.includes('claim 0')) throw new Error('interface 0 not claimed');
    this.frames.push([...data]);
    return { status: 'ok' as const, bytesWritten: data.length };
  }

  override async transferIn(endpoint: number, length: number) {
    await super.transferIn(endpoint, length);
    return { status: 'ok' as const, data: new DataView(new Uint8Array(length).buffer) };
  }
}

/** A bus holding the given devices; `reject` makes getDevices fail as node-usb does without /sys/bus/usb. */
export function fakeBus(devices: HidRelayUsbDevice[], reject?: Error): UsbBus & { listed: number } {
  const bus = {
    listed: 0,
    getDevices(): Promise<HidRelayUsbDevice[]> {
      bus.listed++;
      return reject ? Promise.reject(reject) : Promise.resolve(devices);
    },
  };
  return bus;
}
