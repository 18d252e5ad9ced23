// Device sides of OTA transports, started by a simulated application for one boot. Network
// services listen on loopback ephemeral ports (fixed ports would collide between parallel
// tests), print their address on the console as a real board prints its IP, and die with the
// boot (ctx.signal); console protocols see each console line before the application's shell.
import type { DeviceContext } from '../stack.ts';
import type { UpdateSink } from '../update-sink.ts';
import { UpdateSession } from './session.ts';
import { startHttpPush, type HttpPushOptions } from './http-push.ts';
import { startEspota, type EspotaOptions } from './espota.ts';
import { startMosRpc } from './mos-rpc.ts';
import { startSmp } from './smp.ts';
import { startCloud } from '../cloud/index.ts';

export type DeviceTransportKind = 'http-push' | 'espota' | 'smp' | 'mos-rpc';

/** What the firmware was built with, per transport. */
export interface DeviceTransportOptions {
  espota?: EspotaOptions;
  httpPush?: HttpPushOptions;
  /** The running firmware's version, for cloud flows that compare it with the desired one. */
  version?: string;
}

export interface DeviceTransports {
  /** Offer a console line to the console protocols; true when one of them consumed it. */
  consoleLine(line: string): Promise<boolean>;
}

/** Start the device-side services `kinds` that this firmware has, feeding `sink`. */
export function startDeviceTransports(ctx: DeviceContext, sink: UpdateSink, kinds: readonly DeviceTransportKind[], options: DeviceTransportOptions = {}): DeviceTransports {
  const session = new UpdateSession(ctx, sink);
  const consoles: ((line: string) => Promise<boolean>)[] = [];
  for (const kind of new Set(kinds)) {
    if (kind === 'http-push') startHttpPush(session, options.httpPush);
    else if (kind === 'espota') startEspota(session, options.espota);
    else if (kind === 'smp') consoles.push(startSmp(session));
    else consoles.push(startMosRpc(session));
  }
  if (ctx.config.cloud) startCloud(session, ctx.config.cloud, options.version);
  return {
    async consoleLine(line: string): Promise<boolean> {
      for (const c of consoles) if (await c(line)) return true;
      return false;
    },
  };
}
