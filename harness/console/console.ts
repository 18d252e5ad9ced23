// A board's serial console, read through serialport. Keeps every raw byte and every line with a
// monotonic timestamp; `expect` reads from a cursor so no line is missed between two steps.
// Bytes that are not UTF-8 are replaced, never fatal. The port itself may come and go with the
// board's power (reconnecting-port.ts): the log goes on, with 'console lost' / 'console back'
// events where the gap was.
import type { BindingInterface } from '@serialport/bindings-interface';
import { StringDecoder } from 'node:string_decoder';
import type { PortRef } from '../rig/schema.ts';
import type { ListPorts } from './ports.ts';
import { fileLocator, fixedLocator, locatorFor, type PortLocator } from './locate.ts';
import { ReconnectingPort, type ReconnectOptions } from './reconnecting-port.ts';
import { Waiters } from '../waiters.ts';

export { withTimeout } from './reconnecting-port.ts';

export interface ConsoleLine {
  /** Index among received lines (what boot-log parsers see). */
  n: number;
  /** Milliseconds since the console opened (monotonic clock). */
  t: number;
  text: string;
}

/** A received line or a harness note, as it is recorded (what a live log writes). */
export interface ConsoleRecord {
  t: number;
  kind: 'line' | 'note';
  text: string;
}

/** Something the harness did (power off, OTA start), placed between received lines. */
export interface ConsoleEvent {
  t: number;
  /** Number of received lines before it. */
  atLine: number;
  text: string;
}

export interface ConsoleOptions {
  board: string;
  /** The rig's reference: followed again (link, USB identity) whenever the port comes back. */
  port?: PortRef;
  /** A device path or a link to one, when there is no `port`; a link is re-resolved on return. */
  path?: string;
  /** Overrides both (tests, simulated adapters). */
  locator?: PortLocator;
  baudRate: number;
  /** Sent after each send(); received lines end at '\n' ('\r\n' too), or at '\r' when this is '\r'. */
  lineEnding?: string;
  encoding?: 'utf8' | 'latin1';
  binding?: BindingInterface;
  openTimeoutMs?: number;
  /** Start even while the port is absent (an adapter the board powers); default: fail at once. */
  waitForPort?: boolean;
  reconnect?: ReconnectOptions;
  /** Root of the by-id/by-path links (default /dev/serial, or OTA_HIL_SERIAL_ROOT). */
  serialRoot?: string;
  /** How USB identities are looked up (default SerialPort.list). */
  listPorts?: ListPorts;
}

export class ConsoleTimeout extends Error {
  override name = 'ConsoleTimeout';
}

export class Console {
  readonly lines: ConsoleLine[] = [];
  readonly events: ConsoleEvent[] = [];
  private readonly raw: Buffer[] = [];
  private partial = '';
  private decoder: StringDecoder;
  private readonly t0 = performance.now();
  private readonly waiters = new Waiters();
  private taps = new Set<(chunk: Buffer) => void>();
  private recorders = new Set<(r: ConsoleRecord) => void>();
  private absentAtOpen = false;
  /** Default start for expect(): the line after the last match. */
  cursor = 0;

  private port!: ReconnectingPort;

  private constructor(
    private readonly opts: ConsoleOptions,
    private readonly locator: PortLocator,
  ) {
    this.decoder = new StringDecoder(opts.encoding ?? 'utf8');
  }

  get board(): string {
    return this.opts.board;
  }

  /** The device node open now (e.g. /dev/ttyUSB3), or undefined while the port is gone. */
  get path(): string | undefined {
    return this.port.state === 'open' ? this.port.current?.device : undefined;
  }

  /** How the rig names the port (a stable link, a USB identity, a path). */
  get portName(): string {
    return this.port.describe;
  }

  get connected(): boolean {
    return this.port.state === 'open';
  }

  /**
   * The path to hand a flashing tool ({port}): the stable link when the rig names one (it still
   * leads to the adapter if the tool's reset re-enumerates it), else the device node open now.
   */
  toolPath(): string | undefined {
    return this.locator.file ?? this.port.current?.device;
  }

  /** Resolves when the port is open (at once if it is); fails after `timeoutMs` naming the board. */
  waitConnected(timeoutMs: number, what = 'use the console'): Promise<void> {
    return this.port.whenOpen(timeoutMs, what);
  }

  static async open(opts: ConsoleOptions): Promise<Console> {
    const locator = opts.locator ?? defaultLocator(opts);
    const con = new Console(opts, locator);
    con.port = await ReconnectingPort.open(
      { ...opts.reconnect, board: opts.board, locator, baudRate: opts.baudRate, binding: opts.binding, openTimeoutMs: opts.openTimeoutMs, waitForPort: opts.waitForPort },
      {
        data: (chunk) => con.onData(chunk),
        lost: (reason) => con.onLost(reason),
        back: (device, first) => {
          if (!first) con.note(`console back (${device})`);
          else if (con.absentAtOpen) con.note(`console found (${device})`);
        },
        problem: (text) => con.note(text),
      },
    );
    if (!con.port.current) {
      con.absentAtOpen = true;
      con.note(`console not present: ${con.port.lostReason}; waiting for it`);
    }
    return con;
  }

  /** Let another program (a flashing tool) have the port; the log notes the gap. */
  async release(why: string): Promise<void> {
    this.flushPartial();
    this.note(`console released (${why})`);
    await this.port.release();
    this.decoder = new StringDecoder(this.opts.encoding ?? 'utf8');
  }

  /** Open the port again after release(); resolves with the device node. */
  reacquire(timeoutMs = 10_000): Promise<string> {
    return this.port.reacquire(timeoutMs);
  }

  now(): number {
    return performance.now() - this.t0;
  }

  /** Type a line on the console. While the port is gone, waits for it within the same timeout. */
  async send(text: string, timeoutMs = 5000): Promise<void> {
    this.note(`> ${text}`);
    await this.port.write(Buffer.from(text + (this.opts.lineEnding ?? '\n'), this.opts.encoding ?? 'utf8'), timeoutMs, `send ${JSON.stringify(text)}`);
  }

  /** Write bytes as they are, unlogged: frames of binary console protocols (SMP, Mongoose OS RPC). */
  async write(data: Uint8Array | string, timeoutMs = 5000): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    await this.port.write(bytes, timeoutMs, `write ${bytes.length} bytes`);
  }

  /** Received bytes as they arrive, before line splitting; returns the unsubscribe function. */
  tap(fn: (chunk: Buffer) => void): () => void {
    this.taps.add(fn);
    return () => this.taps.delete(fn);
  }

  /** Every line and note from now on, as it is recorded (a live log); returns the unsubscribe function. */
  onRecord(fn: (r: ConsoleRecord) => void): () => void {
    this.recorders.add(fn);
    return () => this.recorders.delete(fn);
  }

  /** Record a harness event in the log. A half-received line is closed first: the sender is gone. */
  note(text: string): void {
    if (text.startsWith('power off')) this.flushPartial();
    const e = { t: this.now(), atLine: this.lines.length, text };
    this.events.push(e);
    for (const r of this.recorders) r({ t: e.t, kind: 'note', text });
  }

  /** Wait for a line matching `pattern`, starting at `from` (default: the cursor). */
  async expect(pattern: RegExp | string, opts: { timeout?: number; from?: number } = {}): Promise<ConsoleLine> {
    const from = opts.from ?? this.cursor;
    const test = (l: ConsoleLine) => (typeof pattern === 'string' ? l.text.includes(pattern) : pattern.test(l.text));
    const line = await this.waitFor(() => this.lines.slice(from).find(test), opts.timeout ?? 30_000, `line matching ${String(pattern)}`);
    this.cursor = line.n + 1;
    return line;
  }

  /** Resolve when `probe` returns a value; re-checked on every received line. */
  waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return this.waiters.until(probe, timeoutMs, () => {
      const tail = this.lines.slice(-5).map((l) => `    ${fmtTime(l.t)}  ${l.text}`).join('\n');
      const gone = this.port.state === 'open' ? '' : ` (the console port ${this.portName} is gone: ${this.port.lostReason})`;
      return new ConsoleTimeout(`${this.board}: no ${what} within ${timeoutMs} ms${gone}; last console lines:\n${tail || '    (nothing received)'}`);
    });
  }

  /** The whole log, received lines and harness events interleaved, with timestamps. */
  transcript(): string {
    const out: string[] = [];
    let e = 0;
    for (const l of this.lines) {
      while (e < this.events.length && this.events[e]!.atLine <= l.n) out.push(`${fmtTime(this.events[e]!.t)}  ## ${this.events[e++]!.text}`);
      out.push(`${fmtTime(l.t)}  ${l.text}`);
    }
    while (e < this.events.length) out.push(`${fmtTime(this.events[e]!.t)}  ## ${this.events[e++]!.text}`);
    if (this.partial) out.push(`${fmtTime(this.now())}  ${this.partial}  (incomplete line)`);
    return out.join('\n') + '\n';
  }

  rawBytes(): Buffer {
    return Buffer.concat(this.raw);
  }

  async close(): Promise<void> {
    this.flushPartial();
    await this.port.close();
  }

  private onData(chunk: Buffer): void {
    this.raw.push(chunk);
    for (const t of [...this.taps]) t(chunk);
    const text = this.partial + this.decoder.write(chunk);
    const parts = text.split(this.opts.lineEnding === '\r' ? '\r' : '\n');
    this.partial = parts.pop()!;
    for (const p of parts) this.push(p);
    if (parts.length) this.waiters.notify();
  }

  /** The sender is gone: its half line is closed, and a half character is not glued to new bytes. */
  private onLost(reason: string): void {
    this.flushPartial();
    this.decoder = new StringDecoder(this.opts.encoding ?? 'utf8');
    this.note(`console lost (${reason})`);
  }

  private flushPartial(): void {
    if (!this.partial) return;
    this.push(this.partial);
    this.partial = '';
    this.waiters.notify();
  }

  private push(text: string): void {
    const line = { n: this.lines.length, t: this.now(), text: text.replace(/\r$/, '').replace(/[\u0000-\u0008\u000b-\u001f]/g, '') };
    this.lines.push(line);
    for (const r of this.recorders) r({ t: line.t, kind: 'line', text: line.text });
  }
}

export function fmtTime(ms: number): string {
  return `${(ms / 1000).toFixed(3).padStart(8)}s`;
}

function defaultLocator(opts: ConsoleOptions): PortLocator {
  if (opts.port) return locatorFor(opts.port, opts.board, { root: opts.serialRoot, list: opts.listPorts });
  if (!opts.path) throw new Error(`${opts.board}: a console needs a port or a path`);
  // A binding of our own (the in-process sim) opens names the file system does not know.
  return opts.binding ? fixedLocator(opts.path) : fileLocator(opts.path);
}
