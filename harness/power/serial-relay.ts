// LCUS relay boards behind a CH340 USB-serial chip (1a86:7523), 9600 8N1. Each switch is one
// 4-byte frame A0 <channel> <00|01> <sum> (see lcus.ts). Multi-channel boards answer the query byte
// 0xFF with "CH1:OFF\r\nCH2:ON\r\n..."; single-channel ones stay silent, so state() is then
// 'unknown'. When the board does answer, every switch is read back and a relay that did not
// follow is an error. Only finding out whether a board answers costs a wait (queryMs, once, paid
// by silent boards); a board that answered gets the hardware timeout for each read-back, which
// an answering board never uses up however loaded the host.
import { existsSync } from 'node:fs';
import type { SerialPort } from 'serialport';
import { resolvePort, withoutBoard } from '../console/ports.ts';
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { PortRef, Channel } from '../rig/schema-parts.ts';
import { hexBytes, LCUS_QUERY, lcusFrame, parseLcusStatus } from './lcus.ts';
import { DEFAULT_HW_TIMEOUT_MS, PowerError, type PowerContext, type PowerState, type PowerSwitch } from './power-switch.ts';
import { withTimeout } from './timeout.ts';

type SerialRelayConfig = Static<typeof serialRelayPower.schema>;

const DRIVER = 'serial-relay';

export interface SerialRelayOptions {
  timeoutMs?: number;
  /**
   * How long the first status query waits for an answer: silent boards cost this much once.
   * Generous: a loaded host (CI) can take a second or more to carry a pty's answer.
   */
  queryMs?: number;
  /** Pause between a frame and the next one; the board's MCU drops frames sent back to back. */
  gapMs?: number;
}

export class SerialRelayPowerSwitch implements PowerSwitch {
  readonly description: string;
  private port: SerialPort | null = null;
  private path = '';
  private rx = '';
  private rxWaiter: (() => void) | null = null;
  /** undefined until the first query; false for boards that do not answer it. */
  private answers: boolean | undefined;
  private readonly ms: number;
  private readonly queryMs: number;
  private readonly gapMs: number;

  constructor(
    private readonly config: SerialRelayConfig,
    private readonly ctx: PowerContext,
    opts: SerialRelayOptions = {},
  ) {
    this.ms = opts.timeoutMs ?? DEFAULT_HW_TIMEOUT_MS;
    this.queryMs = opts.queryMs ?? 2000;
    this.gapMs = opts.gapMs ?? 50;
    this.description = `serial-relay ${describeRef(config.port)} channel ${config.channel}`;
  }

  private fail(detail: string, cause?: unknown): PowerError {
    return new PowerError(this.ctx.board, DRIVER, detail, cause === undefined ? undefined : { cause });
  }

  private async open(): Promise<SerialPort> {
    if (this.port?.isOpen) return this.port;
    let path: string;
    try {
      path = await withTimeout(resolvePort(this.config.port, this.ctx.board, { role: 'relay' }), this.ms, 'looking up the port');
    } catch (e) {
      throw this.fail(withoutBoard((e as Error).message, this.ctx.board), e);
    }
    if (!existsSync(path)) throw this.fail(`serial port ${path} does not exist (relay unplugged, or wrong port in the rig?)`);
    const { SerialPort } = await import('serialport'); // loaded when a relay is first switched
    const port = new SerialPort({ path, baudRate: this.config.baud ?? 9600, autoOpen: false });
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve()))),
        this.ms,
        `opening ${path}`,
        () => port.close(() => undefined),
      );
    } catch (e) {
      throw this.fail(`cannot open serial port ${path}: ${(e as Error).message}`, e);
    }
    port.on('data', (chunk: Buffer) => {
      this.rx += chunk.toString('latin1');
      this.rxWaiter?.();
    });
    // A vanished adapter closes the port; the next call opens it again.
    port.on('close', () => {
      if (this.port === port) this.port = null;
    });
    port.on('error', () => undefined); // surfaced by the write or open that hits it
    this.port = port;
    this.path = path;
    return port;
  }

  private async write(port: SerialPort, bytes: Uint8Array, what: string): Promise<void> {
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          port.write(Buffer.from(bytes), (err) => (err ? reject(err) : port.drain((e) => (e ? reject(e) : resolve()))));
        }),
        this.ms,
        `writing ${what} to ${this.path}`,
      );
    } catch (e) {
      this.drop();
      throw this.fail(`writing ${what} to ${this.path}: ${(e as Error).message}`, e);
    }
  }

  private async switchTo(target: 'on' | 'off'): Promise<void> {
    const port = await this.open();
    const frame = lcusFrame(this.config.channel, target === 'on');
    await this.write(port, frame, hexBytes(frame));
    if (this.answers === false) return;
    await sleep(this.gapMs);
    const got = await this.query(port);
    if (got !== 'unknown' && got !== target) {
      throw this.fail(`sent ${hexBytes(frame)} on ${this.path} but channel ${this.config.channel} reads back ${got}`);
    }
  }

  /** Sends 0xFF and waits for our channel's "CHn:ON|OFF": up to queryMs until the board has answered once. */
  private async query(port: SerialPort): Promise<PowerState> {
    this.rx = '';
    await this.write(port, Uint8Array.of(LCUS_QUERY), 'the status query FF');
    const deadline = Date.now() + (this.answers === true ? this.ms : this.queryMs);
    for (;;) {
      const st = parseLcusStatus(this.rx).get(this.config.channel);
      if (st) {
        this.answers = true;
        return st;
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.rxWaiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.rxWaiter = null;
    }
    this.answers ??= false;
    return 'unknown';
  }

  on(): Promise<void> {
    return this.switchTo('on');
  }

  off(): Promise<void> {
    return this.switchTo('off');
  }

  async state(): Promise<PowerState> {
    return this.query(await this.open());
  }

  private drop(): void {
    const p = this.port;
    this.port = null;
    if (p?.isOpen) p.close(() => undefined);
  }

  async close(): Promise<void> {
    const p = this.port;
    this.port = null;
    if (!p?.isOpen) return;
    await withTimeout(new Promise<void>((resolve) => p.close(() => resolve())), this.ms, `closing ${this.path}`).catch((e: Error) => {
      throw this.fail(e.message, e);
    });
  }
}

function describeRef(ref: SerialRelayConfig['port']): string {
  if ('path' in ref) return ref.path;
  if ('byId' in ref) return `by-id/${ref.byId}`;
  if ('byPath' in ref) return `by-path/${ref.byPath}`;
  if ('usb' in ref) return `usb ${ref.usb.vendorId}:${ref.usb.productId}${ref.usb.serialNumber ? ` ${ref.usb.serialNumber}` : ''}`;
  return 'sim';
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Rig entry `power: { kind: 'serial-relay', ... }`. */
export const serialRelayPower = defineKind({
  kind: 'serial-relay',
  description: 'LCUS relay behind a CH340 USB-serial chip (frames A0 <channel> <0|1> <sum>)',
  options: {
    port: PortRef,
    channel: Channel,
    baud: Type.Optional(Type.Integer({ minimum: 50, default: 9600 })),
  },
  create: (config, ctx: PowerContext): PowerSwitch => new SerialRelayPowerSwitch(config, ctx),
});
