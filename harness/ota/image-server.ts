// The harness-hosted image server behind HTTP pull (and Mongoose OS OTA.Update {url}): one route
// per delivery, Range requests for resumed downloads, ESPhttpUpdate semantics (x-ESP8266-version
// equal to the image's → 304, x-MD5 always), and injected faults on the body. Bytes served are
// the delivery's progress; a hold point parks the body at an exact byte.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Type, type Static, type TObject } from '../typebox.ts';
import { closed, Ms } from '../rig/schema-parts.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import { ByteDelivery } from './delivery.ts';
import { OtaError } from './transport.ts';
import { md5hex } from './proto/espota.ts';

const CHUNK = 1024;

/** Rig options of every transport whose image this server serves; each kind spreads them into its own. */
export const ServedOptions = {
  host: Type.Optional(Type.String({ default: '127.0.0.1', description: 'address the image server binds and advertises' })),
  port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'port the image server listens on (default: a free one)' })),
  timeoutMs: Type.Optional(Ms),
};

/** Faults the server injects into the body it serves. */
export const HttpFaults = closed(
  {
    stallAtByte: Type.Optional(Type.Integer({ minimum: 0, description: 'stop sending at this byte, keep the connection open' })),
    stallMs: Type.Optional(Type.Integer({ minimum: 1, description: 'how long a stall lasts (default: until the board gives up)' })),
    dropAtByte: Type.Optional(Type.Integer({ minimum: 0, description: 'close the connection after this many body bytes' })),
    throttleBytesPerSec: Type.Optional(Type.Integer({ minimum: 1, description: 'serve at most this many bytes per second' })),
    flipByteAt: Type.Optional(Type.Integer({ minimum: 0, description: 'XOR 0x01 into the byte at this offset' })),
    truncateAt: Type.Optional(Type.Integer({ minimum: 0, description: 'serve only the first N bytes, with a matching Content-Length (a truncated file on the server)' })),
    times: Type.Optional(Type.Integer({ minimum: 1, description: 'apply to the first N requests only (default: all)' })),
  },
  { description: 'faults on the served body, for download-robustness scenarios' },
);
export type HttpFaults = Static<typeof HttpFaults>;

/** What the server reads of a transport's rig entry. */
export type Served = Static<TObject<typeof ServedOptions>> & { faults?: HttpFaults };

/** Whose server it is, for its messages and deliveries. */
export interface ServerOwner {
  board: string;
  kind: string;
  note: (text: string) => void;
}

interface Route {
  delivery: ByteDelivery;
  requests: number;
}

export class ImageServer {
  private server: http.Server | null = null;
  private routes = new Map<string, Route>();
  /** Small documents beside the images (a poll manifest), by path. */
  private docs = new Map<string, string>();
  private seq = 0;

  private readonly opts: Served & ServerOwner;

  constructor(owner: ServerOwner, served: Served) {
    this.opts = { ...owner, host: served.host, port: served.port, timeoutMs: served.timeoutMs, faults: served.faults };
  }

  /** Serve `image` at a fresh URL; the delivery tracks what the board fetched. */
  async add(image: FirmwareImage): Promise<{ url: string; delivery: ByteDelivery }> {
    const base = await this.listen();
    const route = `/fw/${++this.seq}/${encodeURIComponent(image.name)}-${encodeURIComponent(image.version)}.bin`;
    const delivery = new ByteDelivery(image, this.opts.board, this.opts.kind, this.opts.timeoutMs);
    delivery.counted = 'served';
    delivery.neverStarted = 'the board never requested the image';
    this.routes.set(route, { delivery, requests: 0 });
    return { url: base + route, delivery };
  }

  /** Serve `body` (JSON) at `route` from now on, replacing what was there. */
  document(route: string, body: string): void {
    this.docs.set(route, body);
  }

  /** http://host:port the server listens on (started if need be). */
  base(): Promise<string> {
    return this.listen();
  }

  async close(): Promise<void> {
    for (const r of this.routes.values()) r.delivery.abort();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => { s.close(() => resolve()); s.closeAllConnections(); });
  }

  private async listen(): Promise<string> {
    const host = this.opts.host ?? '127.0.0.1';
    if (!this.server) {
      const server = http.createServer((req, res) => {
        const doc = this.docs.get(req.url ?? '');
        if (doc !== undefined && req.method === 'GET') {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(doc) }).end(doc);
          return;
        }
        const route = this.routes.get(req.url ?? '');
        if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
          res.writeHead(404).end();
          return;
        }
        void this.serve(route, req, res);
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e) => reject(new OtaError(`${this.opts.board}: ${this.opts.kind}: cannot listen on ${host}:${this.opts.port ?? 0}: ${e.message}`)));
        server.listen(this.opts.port ?? 0, host, () => resolve());
      });
      this.server = server;
    }
    const { port } = this.server.address() as AddressInfo;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  private async serve(route: Route, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const d = route.delivery;
    const n = ++route.requests;
    const faults = this.opts.faults && (this.opts.faults.times === undefined || n <= this.opts.faults.times) ? this.opts.faults : {};
    let data = d.image.bytes;
    if (faults.truncateAt !== undefined) data = data.subarray(0, Math.min(faults.truncateAt, data.length));
    if (faults.flipByteAt !== undefined && faults.flipByteAt < data.length) {
      data = data.slice();
      data[faults.flipByteAt] = data[faults.flipByteAt]! ^ 0x01;
    }
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes', 'x-MD5': md5hex(d.image.bytes) };

    // ESPhttpUpdate sends the running version; the server says "nothing new" with 304.
    const running = req.headers['x-esp8266-version'];
    if (typeof running === 'string' && running === d.image.version) {
      this.opts.note(`ota: ${req.headers['user-agent'] ?? 'board'} already runs ${running}: 304 Not Modified`);
      res.writeHead(304, { 'x-MD5': headers['x-MD5'] }).end();
      d.fail(`the board already runs ${running} (x-ESP8266-version): answered 304 Not Modified`);
      return;
    }
    if (req.headers['x-esp8266-sketch-md5'] !== undefined) {
      this.opts.note(`ota: ESPhttpUpdate request: ${Object.entries(req.headers).filter(([k]) => k.startsWith('x-esp8266-')).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
    }

    let start = 0;
    let end = data.length; // exclusive
    const range = req.headers.range;
    if (range) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      // "bytes=-N" is the last N bytes (RFC 9110 suffix range); "bytes=S-" from S to the end.
      const suffix = m && !m[1] && m[2] ? Number(m[2]) : undefined;
      const s = suffix !== undefined ? (suffix > 0 ? Math.max(0, data.length - suffix) : NaN) : m?.[1] ? Number(m[1]) : NaN;
      const e = suffix === undefined && m?.[2] ? Number(m[2]) + 1 : data.length;
      if (!m || Number.isNaN(s) || s >= data.length || e <= s) {
        res.writeHead(416, { 'Content-Range': `bytes */${data.length}` }).end();
        return;
      }
      start = s;
      end = Math.min(e, data.length);
      headers['Content-Range'] = `bytes ${start}-${end - 1}/${data.length}`;
      this.opts.note(`ota: range request ${range} (resuming at byte ${start})`);
    }
    headers['Content-Length'] = end - start;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }

    d.begin(start);
    let closed = false;
    const gone = new Promise<void>((resolve) =>
      res.on('close', () => {
        closed = true;
        d.wake();
        resolve();
      }),
    );
    let at = start;
    let stalled = false;
    const chunk = faults.throttleBytesPerSec ? Math.max(1, Math.min(CHUNK, Math.floor(faults.throttleBytesPerSec / 20))) : CHUNK;
    while (at < end && !closed) {
      if (faults.dropAtByte !== undefined && at >= faults.dropAtByte) {
        this.opts.note(`ota: fault: dropping the connection at byte ${at}`);
        // What was written goes out first; then the connection dies without a proper end.
        await new Promise<void>((resolve) => res.write(Buffer.alloc(0), () => resolve()));
        res.socket?.destroy();
        return; // the board may come back with a Range request
      }
      if (faults.stallAtByte !== undefined && at >= faults.stallAtByte && !stalled) {
        stalled = true;
        this.opts.note(`ota: fault: stalling at byte ${at}${faults.stallMs ? ` for ${faults.stallMs} ms` : ''}`);
        if (!faults.stallMs) {
          await gone;
          return;
        }
        await delay(faults.stallMs);
        continue;
      }
      let stopAt = end;
      for (const f of [faults.dropAtByte, faults.stallAtByte]) if (f !== undefined && f > at) stopAt = Math.min(stopAt, f);
      const n = await d.take(Math.min(chunk, stopAt - at), () => closed);
      if (n === 0) break;
      const ok = res.write(data.subarray(at, at + n));
      at += n;
      d.advance(n);
      if (!ok && !closed) await Promise.race([new Promise<void>((resolve) => res.once('drain', resolve)), gone]);
      if (faults.throttleBytesPerSec) await delay((n / faults.throttleBytesPerSec) * 1000);
    }
    if (at < end) {
      d.fail(`connection closed by the board after ${at}/${data.length} bytes`);
      return;
    }
    res.end();
    if (end === data.length) d.finish();
  }
}
