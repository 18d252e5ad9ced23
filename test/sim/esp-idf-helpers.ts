// Test rig for the simulated ESP-IDF board: an in-process SimDevice, its console as lines, a tiny
// image server on loopback, and helpers to drive an update the way a user at the console would.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SimDevice } from '../../harness/sim/device.ts';
import { espIdfStack } from '../../harness/sim/stacks/esp-idf/index.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import type { ImageBuild } from '../../harness/sim/stack.ts';

export const BASELINE: ImageBuild = { version: '1.0.0', boot: 'ok', confirm: 'self' };
export const CANDIDATE: ImageBuild = { version: '1.1.0', boot: 'ok', confirm: 'wait', size: 48000 };

/** The app's version line and the bootloader's final word when nothing boots. */
export const VERSION = /^I \(\d+\) app_init: App version:\s+(\S+)/;
export const NO_APP = /No bootable app partitions in the partition table/;
export const LOADED = /Loaded app from partition at offset (0x[0-9a-f]+)/;

const open = new Set<() => Promise<void>>();

/** Close everything a test opened; run it in afterEach/after so a failing test leaks nothing. */
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
    this.device = new SimDevice('esp-idf-test', espIdfStack, { timeScale: 1000, ...config });
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
    return espIdfStack.buildImage(build, this.config);
  }

  install(build: ImageBuild): void {
    espIdfStack.install(this.device.flash, this.image(build), this.config);
  }

  inspect() {
    return espIdfStack.inspect(this.device.flash, this.config);
  }

  mark(): number {
    return this.lines.length;
  }

  /** Index of the first line at or after `from` matching `re`. */
  async waitFor(re: RegExp, from = 0, timeoutMs = 5000): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = from; i < this.lines.length; i++) {
          if (re.test(this.lines[i]!)) {
            done();
            resolve(i);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${re} after line ${from}; console:\n${this.lines.slice(from).join('\n')}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  send(line: string): void {
    this.device.receive(Buffer.from(line + '\n'));
  }

  async powerOff(): Promise<void> {
    this.device.powerOff();
    await this.device.settled();
  }

  /** Power off (if on) and on again; returns the console mark of the new life. */
  async powerCycle(): Promise<number> {
    await this.powerOff();
    const m = this.mark();
    this.device.powerOn();
    return m;
  }

  since(from: number): string {
    return this.lines.slice(from).join('\n');
  }
}

export interface ImageServer {
  url: string;
  served(): number;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Stop sending after this many body bytes and keep the socket open. */
  stallAt?: number;
  /** Hang up after this many body bytes. */
  dropAt?: number;
  status?: number;
}

export async function serve(body: Uint8Array, opts: ServeOptions = {}): Promise<ImageServer> {
  let served = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer((_req, res) => {
    if (opts.status && opts.status !== 200) {
      res.writeHead(opts.status, { 'content-length': 0 }).end();
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
  return { url: `http://127.0.0.1:${port}/fw.bin`, served: () => served, close };
}

export async function until(pred: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 1));
  }
  return true;
}

/** What one boot ended in: the app version that came up, 'brick' (no bootable app), or 'stuck'. */
export type Outcome = string;

/** The outcome of the boot that starts at line `from` (the first version or brick line after it). */
export function outcomeSince(board: Board, from: number): Outcome {
  for (let i = from; i < board.lines.length; i++) {
    const v = VERSION.exec(board.lines[i]!);
    if (v) return v[1]!;
    if (NO_APP.test(board.lines[i]!)) return 'brick';
  }
  return 'stuck';
}

/** Power on, wait until an app is up or the bootloader gives up, power off. */
export async function bootOnce(board: Board): Promise<{ outcome: Outcome; log: string }> {
  const m = await board.powerCycle();
  // Up means app_main ran: the running-partition line follows the version.
  await until(() => board.lines.slice(m).some((l) => /ota_hil: Running partition/.test(l) || NO_APP.test(l)));
  const outcome = outcomeSince(board, m);
  const log = board.since(m);
  await board.powerOff();
  return { outcome, log };
}

/** app_main's first line: the app is up and has reported its partition and OTA state. */
export const APP_UP = /ota_hil: Running partition: (\S+) \(offset 0x[0-9a-f]+\), (?:OTA state ESP_OTA_IMG_(\w+)|no OTA state)/;

/** Install `baseline`, boot it, type `ota <url>`; resolves with the mark before the command. */
export async function startOta(board: Board, baseline: ImageBuild, url: string): Promise<number> {
  board.install(baseline);
  const m0 = board.mark();
  board.device.powerOn();
  await board.waitFor(APP_UP, m0);
  const m = board.mark();
  board.send(`ota ${url}`);
  return m;
}

/** Wait for the app of the boot after line `from` to report itself; returns [partition, state]. */
export async function nextApp(board: Board, from: number, timeoutMs = 10_000): Promise<{ at: number; part: string; state: string | null }> {
  const at = await board.waitFor(APP_UP, from, timeoutMs);
  const m = APP_UP.exec(board.lines[at]!)!;
  return { at, part: m[1]!, state: m[2] ?? null };
}
