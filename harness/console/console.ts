// A board's serial console, read through serialport. Keeps every raw byte and every line with a
// monotonic timestamp; `expect` reads from a cursor so no line is missed between two steps.
// Bytes that are not UTF-8 are replaced, never fatal.
import { SerialPortStream } from '@serialport/stream';
import type { BindingInterface } from '@serialport/bindings-interface';
import { autoDetect } from '@serialport/bindings-cpp';
import { StringDecoder } from 'node:string_decoder';

export interface ConsoleLine {
  /** Index among received lines (what boot-log parsers see). */
  n: number;
  /** Milliseconds since the console opened (monotonic clock). */
  t: number;
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
  path: string;
  baudRate: number;
  lineEnding?: string;
  encoding?: 'utf8' | 'latin1';
  binding?: BindingInterface;
  openTimeoutMs?: number;
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
  private waiters = new Set<() => void>();
  private taps = new Set<(chunk: Buffer) => void>();
  /** Default start for expect(): the line after the last match. */
  cursor = 0;

  private constructor(
    private readonly port: SerialPortStream,
    private readonly opts: ConsoleOptions,
  ) {
    this.decoder = new StringDecoder(opts.encoding ?? 'utf8');
    port.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  get board(): string {
    return this.opts.board;
  }

  static async open(opts: ConsoleOptions): Promise<Console> {
    const port = new SerialPortStream({
      binding: opts.binding ?? autoDetect(),
      path: opts.path,
      baudRate: opts.baudRate,
      autoOpen: false,
    });
    await withTimeout(
      new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve()))),
      opts.openTimeoutMs ?? 5000,
      `${opts.board}: opening console ${opts.path}`,
    ).catch((e: Error) => {
      throw new Error(`${opts.board}: cannot open console ${opts.path}: ${e.message}`);
    });
    return new Console(port, opts);
  }

  now(): number {
    return performance.now() - this.t0;
  }

  /** Type a line on the console. */
  async send(text: string, timeoutMs = 5000): Promise<void> {
    this.note(`> ${text}`);
    const data = text + (this.opts.lineEnding ?? '\n');
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        this.port.write(data, (err) => (err ? reject(err) : this.port.drain((e) => (e ? reject(e) : resolve()))));
      }),
      timeoutMs,
      `${this.board}: writing to console`,
    );
  }

  /** Write bytes as they are, unlogged: frames of binary console protocols (SMP, Mongoose OS RPC). */
  async write(data: Uint8Array | string, timeoutMs = 5000): Promise<void> {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        this.port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data), (err) => (err ? reject(err) : this.port.drain((e) => (e ? reject(e) : resolve()))));
      }),
      timeoutMs,
      `${this.board}: writing to console`,
    );
  }

  /** Received bytes as they arrive, before line splitting; returns the unsubscribe function. */
  tap(fn: (chunk: Buffer) => void): () => void {
    this.taps.add(fn);
    return () => this.taps.delete(fn);
  }

  /** Record a harness event in the log. A half-received line is closed first: the sender is gone. */
  note(text: string): void {
    if (text.startsWith('power off')) this.flushPartial();
    this.events.push({ t: this.now(), atLine: this.lines.length, text });
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
  async waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const first = probe();
    if (first !== undefined) return first;
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v === undefined) return;
        done();
        resolve(v);
      };
      const timer = setTimeout(() => {
        done();
        const tail = this.lines.slice(-5).map((l) => `    ${fmtTime(l.t)}  ${l.text}`).join('\n');
        reject(new ConsoleTimeout(`${this.board}: no ${what} within ${timeoutMs} ms; last console lines:\n${tail || '    (nothing received)'}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
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
    if (!this.port.isOpen) return;
    await withTimeout(
      new Promise<void>((resolve) => this.port.close(() => resolve())),
      2000,
      `${this.board}: closing console`,
    ).catch(() => undefined);
  }

  private onData(chunk: Buffer): void {
    this.raw.push(chunk);
    for (const t of [...this.taps]) t(chunk);
    const text = this.partial + this.decoder.write(chunk);
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    for (const p of parts) this.push(p);
    if (parts.length) for (const w of [...this.waiters]) w();
  }

  private flushPartial(): void {
    if (!this.partial) return;
    this.push(this.partial);
    this.partial = '';
    for (const w of [...this.waiters]) w();
  }

  private push(text: string): void {
    this.lines.push({ n: this.lines.length, t: this.now(), text: text.replace(/\r$/, '').replace(/[\u0000-\u0008\u000b-\u001f]/g, '') });
  }
}

export function fmtTime(ms: number): string {
  return `${(ms / 1000).toFixed(3).padStart(8)}s`;
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
