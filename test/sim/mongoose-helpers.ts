// Test rig for the simulated Mongoose OS boards (ESP32 'mongoose-os' and ESP8266 'rboot'):
// stack-kit's in-process board (console as lines, loopback image server) with RPC typed on that
// console. Verdicts read the console, as the harness does; inspect() only cross-checks.
import type { ImageBuild } from '../../harness/sim/stack.ts';
import { Board as KitBoard, serve as kitServe, type ImageServer } from './stack-kit.ts';

export { cleanup, until, type ImageServer } from './stack-kit.ts';

export const BASELINE: ImageBuild = { version: '1.0.0', boot: 'ok', confirm: 'self', files: { 'conf0.json': '{"v":"1.0.0"}', 'index.html': 'old page' } };
export const CANDIDATE: ImageBuild = { version: '1.1.0', boot: 'ok', confirm: 'wait', files: { 'conf0.json': '{"v":"1.1.0"}' } };

/** The app's own version line, printed once it has initialised (both ports). */
export const VERSION = /main\.c:24\s+Firmware version (\S+)/;
/** The boot is over for good: the bootloader found nothing (ESP-IDF or rBoot wording). */
export const BRICK = /No bootable app partitions|No good rom available|is bad\.\r?$/;

export interface RpcReply {
  id: number;
  result?: unknown;
  error?: { code: number; message: string };
}

/** The stack-kit board (constructed with the Mongoose OS stack to run), plus mos RPC on its console. */
export class Board extends KitBoard {
  // A few microtasks later than stack-kit, as this rig always resolved: see esp-idf-helpers.ts
  // (a power-off racing the app's http-push server start leaks that server).
  override async waitFor(re: RegExp, from = 0, timeoutMs = 5000): Promise<number> {
    return super.waitFor(re, from, timeoutMs);
  }

  /** The version the next app to come up prints. */
  async version(from: number, timeoutMs = 5000): Promise<string> {
    const i = await this.waitFor(VERSION, from, timeoutMs);
    return VERSION.exec(this.lines[i]!)![1]!;
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
}

/** Serve a fw.zip `body`; with `stallAt`, stop there and keep the socket open (a cut mid-download). */
export const serve = (body: Uint8Array, opts: { stallAt?: number } = {}): Promise<ImageServer> =>
  kitServe(body, { ...opts, path: '/fw.zip', contentType: 'application/zip' });
