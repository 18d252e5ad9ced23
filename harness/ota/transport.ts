// The seam for delivering firmware to a board. Each transport exposes the moments a fault can
// hook: bytes delivered and the phase reached.
import type { FirmwareImage } from '../fixtures/images.ts';
import type { DeviceCloud, MqttConfig } from '../rig/schema.ts';
import type { Console } from '../console/console.ts';

export type OtaPhase = 'waiting' | 'transferring' | 'delivered' | 'failed';

export interface OtaProgress {
  phase: OtaPhase;
  bytes: number;
  total: number;
}

export interface HoldPoint {
  /** Fraction of the image (0..1). */
  fraction?: number;
  bytes?: number;
}

/** One delivery in progress. */
export interface OtaDelivery {
  readonly image: FirmwareImage;
  progress(): OtaProgress;
  /** Pause delivery when `point` is reached and resolve then: the moment to cut power. */
  reached(point: HoldPoint, opts?: { timeout?: number }): Promise<OtaProgress>;
  /** Continue after a hold. */
  resume(): void;
  /** Resolve when every byte was delivered; rejects naming the board if it fails or times out. */
  delivered(opts?: { timeout?: number }): Promise<OtaProgress>;
}

export interface OtaTransport {
  readonly kind: string;
  start(image: FirmwareImage): Promise<OtaDelivery>;
  close(): Promise<void>;
  /**
   * Cloud transports: what the board's firmware must be configured with to reach them (broker,
   * device id, poll URL). A real board has it in its own config; a simulated one is built with it.
   */
  provision?(): Promise<DeviceCloud>;
}

/** What every transport gets from the registry. */
export interface TransportContext {
  board: string;
  console: Console;
  /** The console's port path, for command transports' {port}. */
  port?: string;
  /** The rig's MQTT broker settings, for cloud transports. */
  mqtt?: MqttConfig;
}

/**
 * A transport's close: close each of its parts (image server, MQTT client, uploads, console
 * client), every one even when another fails, so no server or broker share outlives the test.
 */
export async function closeParts(...parts: ({ close(): unknown } | null | undefined)[]): Promise<void> {
  const failed = (await Promise.allSettled(parts.map((p) => p?.close()))).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export class OtaError extends Error {
  override name = 'OtaError';
}
