// HTTP pull: the harness serves the image and tells the board (over its console) to fetch it.
// Bytes served are the download progress; a hold point pauses the body at an exact byte so a
// power cut lands where the scenario says, on hardware and on the sim alike.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TransportConfig } from '../rig/schema.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import { OtaError, type HoldPoint, type OtaDelivery, type OtaProgress, type OtaTransport } from './transport.ts';

type HttpPullConfig = Extract<TransportConfig, { kind: 'http-pull' }>;
const CHUNK = 1024;

export class HttpPullTransport implements OtaTransport {
  readonly kind = 'http-pull';
  private server: http.Server | null = null;
  private deliveries = new Map<string, HttpDelivery>();
  private seq = 0;

  constructor(
    private readonly config: HttpPullConfig,
    private readonly board: string,
    private readonly console: Console,
  ) {}

  async start(image: FirmwareImage): Promise<OtaDelivery> {
    const base = await this.listen();
    const route = `/fw/${++this.seq}/${encodeURIComponent(image.name)}-${encodeURIComponent(image.version)}.bin`;
    const delivery = new HttpDelivery(image, this.board, this.config.timeoutMs ?? 120_000);
    this.deliveries.set(route, delivery);
    const url = base + route;
    this.console.note(`ota: serving ${image.name} ${image.version} (${image.bytes.length} bytes) at ${url}`);
    await this.console.send(this.config.trigger.consoleCommand.replaceAll('{url}', url));
    return delivery;
  }

  async close(): Promise<void> {
    for (const d of this.deliveries.values()) d.abort();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => { s.close(() => resolve()); s.closeAllConnections(); });
  }

  private async listen(): Promise<string> {
    const host = this.config.host ?? '127.0.0.1';
    if (!this.server) {
      const server = http.createServer((req, res) => {
        const d = this.deliveries.get(req.url ?? '');
        if (!d || req.method !== 'GET') {
          res.writeHead(404).end();
          return;
        }
        void d.serve(res);
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e) => reject(new OtaError(`${this.board}: http-pull cannot listen on ${host}:${this.config.port ?? 0}: ${e.message}`)));
        server.listen(this.config.port ?? 0, host, () => resolve());
      });
      this.server = server;
    }
    const { port } = this.server.address() as AddressInfo;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
}

class HttpDelivery implements OtaDelivery {
  private bytes = 0;
  private phase: OtaProgress['phase'] = 'waiting';
  private holdAt: number | null = null;
  private release: (() => void) | null = null;
  private listeners = new Set<() => void>();
  private failure: string | null = null;

  constructor(
    readonly image: FirmwareImage,
    private readonly board: string,
    private readonly timeoutMs: number,
  ) {}

  progress(): OtaProgress {
    return { phase: this.phase, bytes: this.bytes, total: this.image.bytes.length };
  }

  reached(point: HoldPoint, opts: { timeout?: number } = {}): Promise<OtaProgress> {
    const total = this.image.bytes.length;
    const at = point.bytes ?? Math.round((point.fraction ?? 1) * total);
    if (at < 0 || at > total) throw new OtaError(`${this.board}: hold point ${at} is outside the ${total}-byte image`);
    this.holdAt = at;
    return this.until(() => this.bytes >= at && (this.phase !== 'transferring' || this.release !== null || at === total), opts.timeout, `${at}/${total} bytes served`);
  }

  resume(): void {
    this.holdAt = null;
    this.release?.();
  }

  delivered(opts: { timeout?: number } = {}): Promise<OtaProgress> {
    return this.until(() => this.phase === 'delivered', opts.timeout, 'the whole image served');
  }

  abort(): void {
    this.failure ??= 'transport closed';
    this.release?.();
    this.changed();
  }

  async serve(res: http.ServerResponse): Promise<void> {
    const data = this.image.bytes;
    this.bytes = 0;
    this.phase = 'transferring';
    this.failure = null;
    this.changed();
    let closed = false;
    res.on('close', () => {
      closed = true;
      this.release?.();
    });
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length });
    while (this.bytes < data.length && !closed) {
      const limit = this.holdAt !== null && this.holdAt > this.bytes ? this.holdAt : data.length;
      if (this.holdAt !== null && this.bytes >= this.holdAt) {
        await new Promise<void>((resolve) => (this.release = resolve));
        this.release = null;
        continue;
      }
      const end = Math.min(this.bytes + CHUNK, limit);
      const ok = res.write(data.subarray(this.bytes, end));
      this.bytes = end;
      this.changed();
      if (!ok && !closed) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
      if (this.holdAt !== null && this.bytes >= this.holdAt && !closed) {
        // Park here until the scenario cuts power (the socket closes) or resumes.
        const parked = new Promise<void>((resolve) => (this.release = resolve));
        this.changed();
        await parked;
        this.release = null;
      }
    }
    if (closed && this.bytes < data.length) {
      this.phase = 'failed';
      this.failure = `connection closed by the board after ${this.bytes}/${data.length} bytes`;
    } else {
      res.end();
      this.phase = 'delivered';
    }
    this.changed();
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  private until(cond: () => boolean, timeout = this.timeoutMs, what: string): Promise<OtaProgress> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (cond()) {
          stop();
          resolve(this.progress());
        } else if (this.failure && this.phase !== 'transferring') {
          stop();
          reject(new OtaError(`${this.board}: waiting for ${what}: ${this.failure}`));
        }
      };
      const timer = setTimeout(() => {
        stop();
        const p = this.progress();
        reject(new OtaError(`${this.board}: waiting for ${what}: timed out after ${timeout} ms (phase ${p.phase}, ${p.bytes}/${p.total} bytes served${p.phase === 'waiting' ? '; the board never requested the image' : ''})`));
      }, timeout);
      const stop = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }
}
