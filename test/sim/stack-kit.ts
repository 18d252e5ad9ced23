// Test rig for the simulated boards of every stack (ESP-IDF, MCUboot, Mongoose OS, ESP8266 Arduino,
// Zerynth-style, Particle-style): an in-process SimDevice, its console as lines, a loopback image
// server, power-cut helpers, and the boot-log parser's verdict on what the console showed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { SimDevice, WarmReset } from '../../harness/sim/device.ts';
import type { SimStack, ImageBuild, SimDeviceConfig } from '../../harness/sim/stack.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import { parserFor } from '../../harness/bootlog/registry.ts';
import type { Boot } from '../../harness/bootlog/boot.ts';
import type { FlashSnapshot } from '../../harness/sim/flash.ts';

const open = new Set<() => Promise<void>>();

/** Close everything a test opened (run in afterEach), even when it failed. */
export async function cleanup(): Promise<void> {
  const all = [...open];
  open.clear();
  await Promise.all(all.map((close) => close()));
}

export class Board {
  readonly device: SimDevice;
  readonly lines: string[] = [];
  private partial = '';
  private waiters = new Set<() => void>();

  constructor(
    readonly stack: SimStack,
    config: SimDeviceConfig = {},
  ) {
    this.device = new SimDevice('sim-1', stack, { timeScale: 1000, ...config });
    open.add(() => this.powerOff());
    this.device.uart.on('tx', (b) => {
      this.partial += b.toString('utf8');
      const parts = this.partial.split('\r\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      for (const w of this.waiters) w();
    });
  }

  get config(): SimConfig {
    return this.device.config;
  }

  image(build: ImageBuild): Uint8Array {
    return this.stack.buildImage(build, this.config);
  }

  install(build: ImageBuild | Uint8Array): void {
    this.stack.install(this.device.flash, build instanceof Uint8Array ? build : this.image(build), this.config);
  }

  inspect() {
    return this.stack.inspect(this.device.flash, this.config);
  }

  mark(): number {
    return this.lines.length;
  }

  /** Wait for a console line matching `re` at or after line `from`; returns its index. */
  waitFor(re: RegExp, from = 0, timeoutMs = 5000): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = from; i < this.lines.length; i++) {
          if (re.test(this.lines[i]!)) {
            done();
            resolve(i);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${re} after line ${from}; console:\n${this.lines.slice(from).join('\n')}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = () => void check();
      if (!check()) this.waiters.add(waiter);
    });
  }

  /** Wait until the device has lost power (a cut armed in its flash fired). */
  async waitUnpowered(timeoutMs = 5000): Promise<void> {
    const start = Date.now();
    while (this.device.powered) {
      if (Date.now() - start > timeoutMs) throw new Error('device never lost power');
      await new Promise((r) => setTimeout(r, 1));
    }
    await this.device.settled();
  }

  send(line: string): void {
    this.device.receive(Buffer.from(line + '\n'));
  }

  async powerOff(): Promise<void> {
    this.device.powerOff();
    await this.device.settled();
  }

  async powerCycle(): Promise<number> {
    await this.powerOff();
    const m = this.mark();
    this.device.powerOn();
    return m;
  }

  since(from: number): string {
    return this.lines.slice(from).join('\n');
  }

  /** The parser's boots for console lines from `from` on: what the harness would conclude. */
  boots(from = 0): Boot[] {
    return parserFor(this.stack.name).parse(this.lines.slice(from));
  }

  /** Pull the reset line after flash operation `n` (counted from now): a warm reset, RTC memory kept. */
  resetAfterOp(n: number): void {
    const flash = this.device.flash;
    const at = flash.stats.ops + n;
    flash.onOp = (_op, k) => {
      if (k !== at) return;
      flash.onOp = null;
      throw new WarmReset('external reset (RST pin)');
    };
  }
}

export interface ImageServer {
  url: string;
  served(): number;
  requests(): number;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Stop after this many body bytes and keep the socket open (a cut mid-download). */
  stallAt?: number;
  dropAt?: number;
  status?: number;
  /** x-MD5 header value; 'auto' = MD5 of the body (what a publisher computed). */
  md5?: string;
  /** Path of the URL (default /fw.bin) and the body's content type (default application/octet-stream). */
  path?: string;
  contentType?: string;
}

export async function serve(body: Uint8Array, opts: ServeOptions = {}): Promise<ImageServer> {
  let served = 0;
  let requests = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((_req, res) => {
    requests++;
    if (opts.status && opts.status !== 200) {
      res.writeHead(opts.status, { 'content-length': 0 });
      res.end();
      return;
    }
    const headers: http.OutgoingHttpHeaders = { 'content-type': opts.contentType ?? 'application/octet-stream', 'content-length': body.length };
    if (opts.md5) headers['x-MD5'] = opts.md5 === 'auto' ? createHash('md5').update(body).digest('hex') : opts.md5;
    res.writeHead(200, headers);
    const limit = opts.stallAt ?? opts.dropAt ?? body.length;
    let pos = 0;
    const pump = () => {
      while (pos < limit) {
        const n = Math.min(4096, limit - pos);
        const ok = res.write(body.subarray(pos, pos + n));
        pos += n;
        served += n;
        if (!ok) return void res.once('drain', pump);
      }
      if (opts.dropAt !== undefined) res.socket?.end();
      else if (opts.stallAt === undefined) res.end();
    };
    pump();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((r) => {
      open.delete(close);
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  open.add(close);
  return { url: `http://127.0.0.1:${port}${opts.path ?? '/fw.bin'}`, served: () => served, requests: () => requests, close };
}

export async function until(pred: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 1));
  }
  return true;
}

/** The last boot the parser sees from line `from`, as [slot, event, version]. */
export function verdict(board: Board, from: number): [string | null, string, string | null] {
  const b = board.boots(from).at(-1);
  return b ? [b.slot, b.event, b.version] : [null, 'none', null];
}

/** Restore a snapshot and arm a cut `n` flash operations after it (clean or torn). */
export function armFrom(board: Board, snap: FlashSnapshot, n: number, torn: boolean, fraction = 0.5): void {
  const flash = board.device.flash;
  flash.restore(snap);
  flash.armCut({ atOp: snap.counters.ops + n, torn, fraction });
}

/** Torn-write fractions a sweep cycles through: how far a torn operation got at cut point n. */
export const TORN_FRACTIONS = [0.5, 0.1, 0.9, 0.05, 0.6];

export const tornFraction = (n: number, fractions: readonly number[] = TORN_FRACTIONS): number => fractions[n % fractions.length]!;

/**
 * One boot: power on, wait (3 s at most) until `done` says the boot is over, power off. Returns
 * `outcome` of that boot's console lines (by default the boot is over once it is not 'stuck') and
 * the console as text.
 */
export async function bootOnceWith(
  board: Board,
  outcome: (lines: string[]) => string,
  done: (lines: string[]) => boolean = (lines) => outcome(lines) !== 'stuck',
): Promise<{ outcome: string; log: string }> {
  const m = board.mark();
  board.device.powerOn();
  await until(() => done(board.lines.slice(m)));
  const result = outcome(board.lines.slice(m));
  const log = board.since(m);
  await board.powerOff();
  return { outcome: result, log };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Power on and watch until the board settles — its last boot finished (the application came up or
 * the boot failed for good) and the console stayed quiet for `quietMs` of the board's simulated
 * time (wall time × its timeScale: at a sweep's scale, one poll), or the parser counts `loops`
 * boots (a boot loop) — then power off. Returns the parser's boots of that watch.
 */
export async function settle(board: Board, opts: { quietMs?: number; loops?: number; timeoutMs?: number } = {}): Promise<Boot[]> {
  const { quietMs = 5000, loops = 4, timeoutMs = 5000 } = opts;
  const quietWallMs = quietMs / board.device.config.timeScale;
  const from = board.mark();
  board.device.powerOn();
  const end = performance.now() + timeoutMs;
  let seen = -1;
  let quietSince = performance.now();
  // The boots are those of the lines so far: parsed again only when a line came.
  let boots: Boot[] = [];
  let parsed = -1;
  for (;;) {
    if (board.lines.length !== parsed) {
      parsed = board.lines.length;
      boots = board.boots(from);
    }
    if (boots.length >= loops || performance.now() > end) break;
    if (board.lines.length !== seen) {
      seen = board.lines.length;
      quietSince = performance.now();
      // Quiet is judged over a poll without output: the board's events get their turns first.
    } else if (boots.at(-1)?.complete && performance.now() - quietSince >= quietWallMs) break;
    await sleep(2);
  }
  await board.powerOff();
  return board.boots(from);
}

/** The last boot that finished (a boot cut short by the final power-off says nothing). */
export const final = (boots: Boot[]): [string | null, string, string | null] => {
  const b = boots.filter((x) => x.complete).at(-1) ?? boots.at(-1);
  return b ? [b.slot, b.event, b.version] : [null, 'none', null];
};

/** Flash operations of one run, with their 1-based numbers, for aiming cuts. */
export function recordOps(board: Board): { n: number; kind: string; addr: number; len: number }[] {
  const ops: { n: number; kind: string; addr: number; len: number }[] = [];
  board.device.flash.onOp = (op, n) => ops.push({ n, ...op });
  return ops;
}
