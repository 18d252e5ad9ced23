// Test rig for the simulated Mongoose OS boards (ESP32 'mongoose-os' and ESP8266 'rboot'): an
// in-process SimDevice with its console as lines, RPC typed on that console, and a loopback
// image server. Verdicts read the console, as the harness does; inspect() only cross-checks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimDevice } from '../../harness/sim/device.ts';
import type { ImageBuild, SimStack } from '../../harness/sim/stack.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';

export const BASELINE: ImageBuild = { version: '1.0.0', boot: 'ok', confirm: 'self', files: { 'conf0.json': '{"v":"1.0.0"}', 'index.html': 'old page' } };
export const CANDIDATE: ImageBuild = { version: '1.1.0', boot: 'ok', confirm: 'wait', files: { 'conf0.json': '{"v":"1.1.0"}' } };

const open = new Set<() => Promise<void>>();

/** Close everything a test opened (run in afterEach): boards off, servers closed. */
export async function cleanup(): Promise<void> {
  const all = [...open];
  open.clear();
  await Promise.all(all.map((close) => close()));
}

/** The app's own version line, printed once it has initialised (both ports). */
export const VERSION = /main\.c:24\s+Firmware version (\S+)/;
/** The boot is over for good: the bootloader found nothing (ESP-IDF or rBoot wording). */
export const BRICK = /No bootable app partitions|No good rom available|is bad\.\r?$/;

export interface RpcReply {
  id: number;
  result?: unknown;
  error?: { code: number; message: string };
}

export class Board {
  readonly device: SimDevice;
  readonly lines: string[] = [];
  private partial = '';
  private waiters = new Set<() => void>();

  constructor(
    readonly stack: SimStack,
    config: SimConfig = {},
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

  install(build: ImageBuild): void {
    this.stack.install(this.device.flash, this.image(build), this.config);
  }

  inspect() {
    return this.stack.inspect(this.device.flash, this.config);
  }

  mark(): number {
    return this.lines.length;
  }

  /** Wait for a line matching `re` at or after `from`; returns its index. */
  async waitFor(re: RegExp, from = 0, timeoutMs = 5000): Promise<number> {
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

  /** The version the next app to come up prints. */
  async version(from: number, timeoutMs = 5000): Promise<string> {
    const i = await this.waitFor(VERSION, from, timeoutMs);
    return VERSION.exec(this.lines[i]!)![1]!;
  }

  send(line: string): void {
    this.device.receive(Buffer.from(line + '\n'));
  }

  /** Type `Method {args}` and wait for its one-line JSON answer. */
  async call(method: string, args?: unknown, timeoutMs = 5000): Promise<RpcReply> {
    const m = this.mark();
    this.send(args === undefined ? method : `${method} ${JSON.stringify(args)}`);
    const i = await this.waitFor(/^\{"id":\d+,/, m, timeoutMs);
    return JSON.parse(this.lines[i]!) as RpcReply;
  }

  async readFile(name: string): Promise<string | null> {
    const r = await this.call('FS.Get', { filename: name });
    if (r.error) return null;
    return Buffer.from((r.result as { data: string }).data, 'base64').toString('utf8');
  }

  async powerOff(): Promise<void> {
    this.device.powerOff();
    await this.device.settled();
  }

  /** Power off, on again; returns the console mark of the new life. */
  async powerCycle(): Promise<number> {
    await this.powerOff();
    const m = this.mark();
    this.device.powerOn();
    return m;
  }

  async waitUnpowered(timeoutMs = 5000): Promise<void> {
    const start = Date.now();
    while (this.device.powered) {
      if (Date.now() - start > timeoutMs) throw new Error('device never lost power');
      await new Promise((r) => setTimeout(r, 1));
    }
    await this.device.settled();
  }

  since(from: number): string {
    return this.lines.slice(from).join('\n');
  }
}

export interface ImageServer {
  url: string;
  close(): Promise<void>;
}

/** Serve `body`; with `stallAt`, stop there and keep the socket open (a cut mid-download). */
export async function serve(body: Uint8Array, opts: { stallAt?: number } = {}): Promise<ImageServer> {
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length });
    const limit = opts.stallAt ?? body.length;
    let pos = 0;
    const pump = () => {
      while (pos < limit) {
        const n = Math.min(4096, limit - pos);
        const ok = res.write(body.subarray(pos, pos + n));
        pos += n;
        if (!ok) return void res.once('drain', pump);
      }
      if (opts.stallAt === undefined) res.end();
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
  return { url: `http://127.0.0.1:${port}/fw.zip`, close };
}

export async function until(pred: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 1));
  }
  return true;
}
