// Device sides of OTA transports, started by a simulated application for one boot. Network
// services listen on loopback and die with the boot (ctx.signal); console protocols see each
// console line before the application's shell does.
import type { DeviceContext } from '../stack.ts';
import type { UpdateSink } from '../update-sink.ts';

export type DeviceTransportKind = 'http-push' | 'espota' | 'smp' | 'mos-rpc';

export interface DeviceTransports {
  /** Offer a console line to the console protocols; true when one of them consumed it. */
  consoleLine(line: string): Promise<boolean>;
}

/** Start the device-side services `kinds` that this firmware has, feeding `sink`. */
export function startDeviceTransports(_ctx: DeviceContext, _sink: UpdateSink, _kinds: readonly DeviceTransportKind[]): DeviceTransports {
  return { consoleLine: () => Promise.resolve(false) };
}
