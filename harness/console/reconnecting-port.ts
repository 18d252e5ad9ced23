// A serial port that outlives its device. When the adapter vanishes (a USB-serial chip powered by
// the board loses power with it) the port is marked lost, and reopened as soon as its locator
// finds it again, under whatever name. A vanished port does not always say so: a pending read
// usually ends with 'close' (disconnected) within milliseconds, but a port opened just before
// may get no event at all. So loss is also noticed by re-checking the locator (link gone or
// repointed, node recreated) and, after a silence, by an ioctl that a hung-up tty refuses.
import { SerialPortStream } from '@serialport/stream';
import type { BindingInterface } from '@serialport/bindings-interface';
import type { Located, PortLocator } from './locate.ts';
import { withoutBoard } from './ports.ts';
import { Waiters } from '../waiters.ts';

export interface ReconnectOptions {
  /** How often an open port's identity is re-checked, ms; 0 turns it off. */
  watchMs?: number;
  /** How often a lost port is looked for, ms. Short: the device's first lines wait in its FIFO. */
  pollMs?: number;
  /** After this much silence (ms) the open port is probed with an ioctl; 0 turns it off. */
  idleProbeMs?: number;
  /** A probe that takes longer than this counts as a dead port. */
  probeTimeoutMs?: number;
}

export interface PortHandlers {
  data(chunk: Buffer): void;
  lost(reason: string): void;
  /** The port is open on `device`; `first` for the first time since the console started. */
  back(device: string, first: boolean): void;
  /** Something worth a line in the log that is not a state change (reopen keeps failing). */
  problem(text: string): void;
}

export interface ReconnectingPortOptions extends ReconnectOptions {
  board: string;
  locator: PortLocator;
  baudRate: number;
  binding?: BindingInterface;
  openTimeoutMs?: number;
  /** Start even if the port is absent (an adapter the board powers, board off); else fail. */
  waitForPort?: boolean;
}

export type PortState = 'open' | 'lost' | 'released' | 'closed';

const DEFAULTS = { watchMs: 200, pollMs: 20, idleProbeMs: 1000, probeTimeoutMs: 2000, openTimeoutMs: 5000 };

export class ReconnectingPort {
  state: PortState = 'lost';
  /** The device node open now (or last open). */
  current: Located | undefined;
  /** Why the port is not open, while it is not. */
  lostReason = 'not opened yet';
  private stream: SerialPortStream | undefined;
  private readonly o: Required<ReconnectOptions> & { openTimeoutMs: number };
  private readonly binding: BindingInterface;
  private timer: NodeJS.Timeout | undefined;
  private lastRx = performance.now();
  private lastProbe = 0;
  private lastLocate = 0;
  private lastProblem = '';
  private readonly waiters = new Waiters();
  private opens = 0;

  private constructor(
    private readonly opts: ReconnectingPortOptions,
    private readonly on: PortHandlers,
    binding: BindingInterface,
  ) {
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
    this.o = { ...DEFAULTS, ...given };
    this.binding = binding;
  }

  get describe(): string {
    return this.opts.locator.describe;
  }

  static async open(opts: ReconnectingPortOptions, handlers: PortHandlers): Promise<ReconnectingPort> {
    // The native binding is loaded for a device node only: a simulated board's console brings its own.
    const p = new ReconnectingPort(opts, handlers, opts.binding ?? (await import('@serialport/bindings-cpp')).autoDetect());
    const at = await opts.locator.locate().catch((e: Error) => {
      throw new Error(`${opts.board}: cannot open console ${opts.locator.describe}: ${withoutBoard(e.message, opts.board)}`);
    });
    if (at) {
      try {
        await p.openAt(at);
      } catch (e) {
        if (!opts.waitForPort) throw new Error(`${opts.board}: cannot open console ${opts.locator.describe}: ${(e as Error).message}`);
        p.lostReason = `cannot open ${at.device}: ${(e as Error).message}`;
      }
    } else if (!opts.waitForPort) {
      throw new Error(`${opts.board}: cannot open console ${opts.locator.describe}: not present (adapter unplugged, or the board is powered off?)`);
    } else {
      p.lostReason = `${opts.locator.describe} is not present yet`;
    }
    p.schedule(p.state === 'open' ? p.watchPeriod() : p.o.pollMs);
    return p;
  }

  /** Resolves once the port is open; rejects after `timeoutMs` naming the board and the port. */
  async whenOpen(timeoutMs: number, what: string): Promise<void> {
    if (this.state === 'closed') throw new Error(`${this.opts.board}: console is closed; cannot ${what}`);
    await this.waiters.until(
      () => this.state === 'open' || undefined,
      timeoutMs,
      () => new Error(`${this.opts.board}: console ${this.describe} is gone (${this.lostReason}); cannot ${what} — waited ${timeoutMs} ms for it to come back`),
    );
  }

  /** Write and drain; while the port is gone, wait for it (the same budget) first. */
  async write(data: Buffer, timeoutMs: number, what: string): Promise<void> {
    const start = performance.now();
    await this.whenOpen(timeoutMs, what);
    const stream = this.stream!;
    const left = Math.max(1, timeoutMs - (performance.now() - start));
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        stream.write(data, (err) => (err ? reject(err) : stream.drain((e) => (e ? reject(e) : resolve()))));
      }),
      left,
      `${this.opts.board}: ${what} on ${this.current?.device ?? this.describe}`,
    ).catch((e: Error) => {
      // A write that cannot finish is as good a sign of a dead port as any.
      this.lose(`write failed: ${e.message}`);
      throw e.message.startsWith(this.opts.board) ? e : new Error(`${this.opts.board}: ${what} on ${this.current?.device ?? this.describe}: ${e.message}`);
    });
  }

  /** Close the port on purpose (a flashing tool needs it); nothing is reported as lost. */
  async release(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'released';
    this.lostReason = 'released for another program';
    this.stopTimer();
    await this.closeStream();
  }

  /** Open again after release(); resolves with the device node, or fails after `timeoutMs`. */
  async reacquire(timeoutMs: number): Promise<string> {
    if (this.state === 'open') return this.current!.device;
    if (this.state === 'closed') throw new Error(`${this.opts.board}: console is closed`);
    this.state = 'lost';
    this.lastLocate = 0;
    this.schedule(0);
    await this.whenOpen(timeoutMs, 'reopen the console');
    return this.current!.device;
  }

  async close(): Promise<void> {
    this.state = 'closed';
    this.stopTimer();
    await this.closeStream();
  }

  private watchPeriod(): number {
    const periods = [this.o.watchMs, this.o.idleProbeMs / 4].filter((n) => n > 0);
    return periods.length ? Math.min(...periods) : 1000;
  }

  private schedule(ms: number): void {
    this.stopTimer();
    if (this.state === 'closed' || this.state === 'released') return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref(); // a console alone must not keep the process alive
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    try {
      if (this.state === 'open') await this.watch();
      else if (this.state === 'lost') await this.seek();
    } catch (e) {
      this.report(`console ${this.describe}: ${(e as Error).message}`);
    }
    this.schedule(this.state === 'open' ? this.watchPeriod() : Math.max(this.o.pollMs, 1));
  }

  private async watch(): Promise<void> {
    const current = this.current!;
    if (this.o.watchMs > 0) {
      const why = await this.opts.locator.check(current);
      if (why && this.state === 'open' && this.current === current) return this.lose(why);
    }
    const now = performance.now();
    if (this.o.idleProbeMs > 0 && now - this.lastRx >= this.o.idleProbeMs && now - this.lastProbe >= this.o.idleProbeMs) {
      this.lastProbe = now;
      const port = this.stream?.port;
      if (!port) return;
      // TCGETS: a tty whose device is gone (hung up) answers EIO; a live one answers at once.
      const err = await withTimeout(port.getBaudRate(), this.o.probeTimeoutMs, 'probe').then(() => undefined, (e: Error) => e);
      if (err && this.state === 'open' && this.current === current) this.lose(`port stopped answering after ${Math.round(now - this.lastRx)} ms of silence (${err.message})`);
    }
  }

  private async seek(): Promise<void> {
    const now = performance.now();
    if (now - this.lastLocate < this.opts.locator.minPollMs) return;
    this.lastLocate = now;
    const at = await this.opts.locator.locate();
    if (!at || this.state !== 'lost') return;
    try {
      await this.openAt(at);
    } catch (e) {
      // udev may not have set the permissions yet, or another program holds the port.
      this.report(`console ${this.describe}: ${at.device} is back but cannot be opened yet: ${(e as Error).message}`);
    }
  }

  private async openAt(at: Located): Promise<void> {
    const stream = new SerialPortStream({ binding: this.binding, path: at.device, baudRate: this.opts.baudRate, autoOpen: false });
    const opened = new Promise<void>((resolve, reject) => stream.open((err) => (err ? reject(err) : resolve())));
    try {
      await withTimeout(opened, this.o.openTimeoutMs, `opening ${at.device}`);
    } catch (e) {
      opened.then(() => stream.close(() => undefined), () => undefined);
      throw e;
    }
    if (this.state !== 'lost') {
      // Closed or released while opening.
      stream.close(() => undefined);
      return;
    }
    stream.on('data', (chunk: Buffer) => {
      this.lastRx = performance.now();
      this.on.data(chunk);
    });
    stream.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (this.stream === stream) this.lose(err?.disconnected ? `disconnected: ${err.message}` : 'the port closed');
    });
    stream.on('error', (err: Error) => {
      if (this.stream === stream) this.lose(`port error: ${err.message}`);
    });
    this.stream = stream;
    this.current = at;
    this.state = 'open';
    this.lastRx = performance.now();
    this.lastProblem = '';
    this.on.back(at.device, this.opens++ === 0);
    this.waiters.notify();
  }

  private lose(reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'lost';
    this.lostReason = reason;
    this.lastLocate = 0;
    this.on.lost(reason);
    void this.closeStream();
    this.schedule(0);
  }

  private async closeStream(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    if (!s?.isOpen) return;
    await withTimeout(new Promise<void>((resolve) => s.close(() => resolve())), 1000, 'close').catch(() => undefined);
  }

  private report(text: string): void {
    if (text === this.lastProblem) return;
    this.lastProblem = text;
    this.on.problem(text);
  }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
