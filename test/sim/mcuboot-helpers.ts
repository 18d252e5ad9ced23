// Test rig for the simulated MCUboot board: an in-process SimDevice, its console as lines, and a
// tiny image server on loopback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimDevice } from '../../harness/sim/device.ts';
import { mcubootStack } from '../../harness/sim/stacks/mcuboot/index.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import type { ImageBuild } from '../../harness/sim/stack.ts';

export const BASELINE: ImageBuild = { version: '1.1.0', boot: 'ok', confirm: 'wait' };
export const CANDIDATE: ImageBuild = { version: '1.2.0', boot: 'ok', confirm: 'wait' };

/** Everything a test opened; `cleanup()` (run it in afterEach) closes it even when the test failed. */
const open = new Set<() => Promise<void>>();

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

  constructor(config: SimConfig = {}) {
    this.device = new SimDevice('sim-1', mcubootStack, { timeScale: 1000, ...config });
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
    return mcubootStack.buildImage(build, this.config);
  }

  install(build: ImageBuild): void {
    mcubootStack.install(this.device.flash, this.image(build), this.config);
  }

  inspect() {
    return mcubootStack.inspect(this.device.flash, this.config);
  }

  /** Mark where the next wait starts looking. */
  mark(): number {
    return this.lines.length;
  }

  /** Wait for a console line matching `re` at or after line index `from`; returns its index. */
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

  /** Console text since `from`, for assertion messages. */
  since(from: number): string {
    return this.lines.slice(from).join('\n');
  }
}

export interface ImageServer {
  url: string;
  /** Bytes written to sockets so far (all requests). */
  served(): number;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Stop sending after this many body bytes and keep the socket open (for power cuts mid-download). */
  stallAt?: number;
  /** Close the connection after this many body bytes. */
  dropAt?: number;
  status?: number;
}

export async function serve(body: Uint8Array, opts: ServeOptions = {}): Promise<ImageServer> {
  let served = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    if (opts.status && opts.status !== 200) {
      res.writeHead(opts.status, { 'content-length': 0 });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
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
      if (opts.dropAt !== undefined) res.socket?.end(); // flush what was written, then hang up
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
  return { url: `http://127.0.0.1:${port}/fw.bin`, served: () => served, close };
}

export const VERSION = /<inf> app: Firmware version (\S+)/;
export const BRICK = /Unable to find bootable image/;

/** What a boot ended in: a firmware version, 'brick', or 'stuck' (neither within the timeout). */
export type Outcome = string;

export async function until(pred: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 1));
  }
  return true;
}

/** Power on, wait until an app runs or the bootloader gives up, then power off. */
export async function bootOnce(board: Board): Promise<{ outcome: Outcome; log: string }> {
  const m = board.mark();
  board.device.powerOn();
  let outcome: Outcome = 'stuck';
  await until(() => {
    for (let i = m; i < board.lines.length; i++) {
      const v = VERSION.exec(board.lines[i]!);
      if (v) outcome = v[1]!;
      else if (BRICK.test(board.lines[i]!)) outcome = 'brick';
    }
    return outcome !== 'stuck';
  });
  const log = board.since(m);
  await board.powerOff();
  return { outcome, log };
}
