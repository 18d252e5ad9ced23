// HTTP push: a multipart POST of the image to the board's /update, as `curl -F file=@fw.bin
// http://ADDR/update` sends it to ESP8266HTTPUpdateServer or Mongoose OS ota-http-server.
// Bytes written to the socket are the progress; a hold point stops the body at an exact byte.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { BoardAddress, AddressFrom, StepTimeout } from '../rig/schema-parts.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import type { OtaDelivery, OtaTransport, TransportContext } from './transport.ts';
import { ByteDelivery } from './delivery.ts';
import { deviceAddress, type DeviceAddress } from './address.ts';

type HttpPushConfig = Static<typeof httpPushTransport.schema>;
const CHUNK = 1024;
const STEP_MS = 10_000;
/** The URL a board prints for its update server (ESP8266HTTPUpdateServer's example line; any simulated board's line). */
export const HTTP_PUSH_ADDRESS = /http:\/\/(?<host>[^/\s:]+|\[[^\]]+\]):(?<port>\d+)\/update\b/;

export class HttpPushTransport implements OtaTransport {
  readonly kind = 'http-push';
  private requests = new Set<http.ClientRequest>();
  private deliveries = new Set<ByteDelivery>();

  constructor(
    private readonly config: HttpPushConfig,
    private readonly board: string,
    private readonly console: Console,
  ) {}

  async start(image: FirmwareImage): Promise<OtaDelivery> {
    const d = new ByteDelivery(image, this.board, this.kind, this.config.timeoutMs);
    d.counted = 'sent';
    this.deliveries.add(d);
    const addr = await deviceAddress({
      board: this.board,
      kind: this.kind,
      console: this.console,
      address: this.config.address,
      addressFrom: this.config.addressFrom,
      defaultPattern: HTTP_PUSH_ADDRESS,
      defaultPort: 80,
    });
    void this.push(addr, d).catch((e: Error) => d.fail(e.message));
    return d;
  }

  async close(): Promise<void> {
    for (const r of this.requests) r.destroy();
    for (const d of this.deliveries) d.abort();
    await Promise.resolve();
  }

  private async push(addr: DeviceAddress, d: ByteDelivery): Promise<void> {
    const image = d.image;
    const boundary = `------------------------${randomBytes(8).toString('hex')}`;
    const filename = `${image.name}-${image.version}.bin`.replace(/["\r\n]/g, '_');
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${this.config.field ?? 'file'}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const path = this.config.path ?? '/update';
    const host = addr.host.replace(/^\[|\]$/g, '');
    const url = `http://${addr.host}:${addr.port}${path}`;
    this.console.note(`ota: POST ${image.name} ${image.version} (${image.bytes.length} bytes) to ${url}`);
    const auth = this.config.username !== undefined ? `${this.config.username}:${this.config.password ?? ''}` : undefined;
    const req = http.request({
      host,
      port: addr.port,
      path,
      method: 'POST',
      agent: false,
      auth,
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': head.length + image.bytes.length + tail.length },
    });
    this.requests.add(req);
    let closed = false;
    let error: Error | null = null;
    req.on('error', (e) => {
      error ??= e;
      closed = true;
      d.wake();
    });
    const gone = new Promise<void>((resolve) =>
      req.on('close', () => {
        closed = true;
        d.wake();
        resolve();
      }),
    );
    req.setTimeout(STEP_MS, () => req.destroy(new Error(`no progress for ${STEP_MS} ms`)));
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    response.catch(() => undefined); // reported below, once the body is out
    try {
      d.begin();
      req.write(head);
      let at = 0;
      while (at < image.bytes.length && !closed) {
        const n = await d.take(Math.min(CHUNK, image.bytes.length - at), () => closed);
        if (n === 0) break;
        const ok = req.write(image.bytes.subarray(at, at + n));
        at += n;
        d.advance(n);
        if (!ok && !closed) await Promise.race([new Promise<void>((resolve) => req.once('drain', resolve)), gone]);
      }
      if (at < image.bytes.length) {
        throw new Error(`connection closed by the board after ${at}/${image.bytes.length} bytes${error ? ` (${(error as Error).message})` : ''}`);
      }
      req.end(tail);
      const { status, body } = await response;
      const text = body.replace(/<[^>]*>/g, '').trim();
      this.console.note(`ota: ${url} answered ${status}: ${text}`);
      if (status === 401) throw new Error('the board asks for credentials (401): set username/password in the rig');
      if (status !== 200 || /error|fail/i.test(text)) throw new Error(`the board refused the image: HTTP ${status} ${text}`);
      d.finish();
    } catch (e) {
      d.fail(e instanceof Error ? e.message : String(e));
    } finally {
      this.requests.delete(req);
    }
  }
}

/** Rig entry `transport: { kind: 'http-push', ... }`. */
export const httpPushTransport = defineKind({
  kind: 'http-push',
  description: 'multipart POST /update to the board (ESP8266HTTPUpdateServer, Mongoose OS ota-http-server)',
  options: {
    address: BoardAddress,
    addressFrom: AddressFrom,
    path: Type.Optional(Type.String({ default: '/update' })),
    field: Type.Optional(Type.String({ default: 'file', description: 'multipart form field of the file (ESP8266 "firmware", Mongoose OS "filedata")' })),
    username: Type.Optional(Type.String({ description: 'HTTP basic auth (ESP8266HTTPUpdateServer)' })),
    password: Type.Optional(Type.String()),
    timeoutMs: StepTimeout,
  },
  create: (config, ctx: TransportContext): OtaTransport => new HttpPushTransport(config, ctx.board, ctx.console),
});
