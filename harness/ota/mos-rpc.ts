// Mongoose OS RPC over the serial console, as `mos ota` pushes firmware: open the channel
// (EOF handshake), OTA.Begin {size}, OTA.Write {offset, data: base64} per chunk, OTA.End; or
// OTA.Update {url} with the image served by the harness. OTA.Commit / OTA.Revert /
// OTA.GetBootState are there for scenarios. Acknowledged OTA.Write bytes are the progress.
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { RequestTimeout, StepTimeout } from '../rig/schema-parts.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import { closeParts, type OtaDelivery, type OtaTransport, type TransportContext } from './transport.ts';
import { Uploads, type ByteDelivery } from './delivery.ts';
import { ImageServer } from './image-server.ts';
import { Replies } from '../waiters.ts';
import { HANDSHAKE_REQUEST, RpcDeframer, RpcLineDeframer, frameRpc, frameRpcLine, type RpcFrame } from './proto/mos.ts';

type MosRpcConfig = Static<typeof mosRpcTransport.schema>;
/** Per call and for the handshake, as mos's --timeout. */
const REQUEST_MS = 10_000;
/** mos retries an OTA.Write this many times before giving up. */
const WRITE_TRIES = 3;

export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export type MosFraming = 'delimited' | 'newline';

/** One RPC channel over a console, in either framing rpc-uart accepts. */
export class MosRpcClient {
  private deframer: RpcDeframer | RpcLineDeframer;
  private readonly replies = new Replies<number, RpcFrame>();
  private handshake: (() => void) | null = null;
  private connected = false;
  private nextId = 1;
  private untap: () => void;

  constructor(
    private readonly console: Console,
    private readonly what: string,
    private readonly framing: MosFraming = 'delimited',
    private readonly requestMs = REQUEST_MS,
  ) {
    this.deframer = framing === 'newline' ? new RpcLineDeframer() : new RpcDeframer();
    this.untap = console.tap((chunk) => {
      for (const f of this.deframer.push(chunk.toString('latin1'))) {
        if (f.kind === 'handshake') this.handshake?.();
        else if (f.kind === 'frame' && f.frame.id !== undefined) this.replies.settle(f.frame.id, f.frame);
      }
    });
  }

  /** EOF handshake, repeated as mos does until the device answers. */
  async open(timeoutMs = this.requestMs): Promise<void> {
    if (this.connected) return;
    if (this.framing === 'newline') {
      this.connected = true; // line frames need no handshake: the channel is always open
      return;
    }
    const answered = new Promise<void>((resolve) => (this.handshake = resolve));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.console.write(`${HANDSHAKE_REQUEST}\n`);
      const ok = await Promise.race([answered.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 500))]);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`${this.what}: the board does not answer the RPC handshake (no """\\x04""" within ${timeoutMs} ms)`);
    }
    this.handshake = null;
    this.connected = true;
  }

  /** After a reboot the device side is a new channel. */
  reset(): void {
    this.connected = false;
  }

  async call<T = unknown>(method: string, args?: unknown, timeoutMs = this.requestMs): Promise<T> {
    await this.open();
    const id = this.nextId++;
    const reply = this.replies.next(id, timeoutMs);
    const req: RpcFrame = { id, src: 'ota-hil', method, ...(args === undefined ? {} : { args }) };
    await this.console.write(this.framing === 'newline' ? frameRpcLine(req) : `${frameRpc(req)}\n`);
    const f = await reply;
    if (!f) throw new Error(`${this.what}: ${method}: no response within ${timeoutMs} ms`);
    if (f.error) throw new RpcError(`${this.what}: ${method} failed: ${f.error.message ?? ''} (code ${f.error.code})`, f.error.code);
    return f.result as T;
  }

  close(): void {
    this.untap();
  }
}

export interface BootState {
  active_slot: number;
  is_committed: boolean;
  revert_slot: number;
  commit_timeout: number;
}

export class MosRpcTransport implements OtaTransport {
  readonly kind = 'mos-rpc';
  readonly rpc: MosRpcClient;
  private server: ImageServer | null = null;
  private readonly uploads: Uploads;

  constructor(
    private readonly config: MosRpcConfig,
    private readonly board: string,
    private readonly console: Console,
  ) {
    this.rpc = new MosRpcClient(console, `${board}: mos-rpc`, config.framing ?? 'delimited', config.requestTimeoutMs);
    this.uploads = new Uploads(board, this.kind, config.timeoutMs);
  }

  async start(image: FirmwareImage): Promise<OtaDelivery> {
    this.rpc.reset(); // the board may have rebooted since the last call
    if (this.config.mode === 'url') return this.startUrl(image);
    const d = this.uploads.next(image);
    void this.push(d).catch((e: Error) => d.fail(e.message));
    return d;
  }

  commit(): Promise<unknown> {
    return this.rpc.call('OTA.Commit');
  }

  revert(): Promise<unknown> {
    return this.rpc.call('OTA.Revert');
  }

  bootState(): Promise<BootState> {
    this.rpc.reset();
    return this.rpc.call<BootState>('OTA.GetBootState');
  }

  close(): Promise<void> {
    return closeParts(this.uploads, this.rpc, this.server);
  }

  private push(d: ByteDelivery): Promise<void> {
    this.console.note(`ota: mos-rpc push ${d.image.name} ${d.image.version} (${d.image.bytes.length} bytes)`);
    return pushOverRpc(d, (m, a, t) => this.rpc.call(m, a, t), { chunkSize: this.config.chunkSize, commitTimeout: this.config.commitTimeout }).then(() => {
      this.console.note('ota: mos-rpc OTA.End accepted');
    });
  }

  private async startUrl(image: FirmwareImage): Promise<OtaDelivery> {
    this.server ??= new ImageServer({ board: this.board, kind: this.kind, note: (t) => this.console.note(t) }, this.config);
    const { url, delivery } = await this.server.add(image);
    this.console.note(`ota: mos-rpc OTA.Update {url: ${url}}`);
    // The board answers when the update has been applied, so the call outlives start().
    this.rpc
      .call('OTA.Update', { url, commit_timeout: this.config.commitTimeout ?? 0 }, delivery.timeoutMs)
      .catch((e: Error) => delivery.fail(e.message));
    return delivery;
  }
}

export type RpcCall = (method: string, args?: unknown, timeoutMs?: number) => Promise<unknown>;

/** What `mos ota` sends over any RPC channel: OTA.Begin, OTA.Write per chunk (retried), OTA.End; acknowledged bytes are the progress. */
export async function pushOverRpc(d: ByteDelivery, call: RpcCall, opts: { chunkSize?: number; commitTimeout?: number }): Promise<void> {
  await call('OTA.Begin', { size: d.image.bytes.length, timeout: 600, commit_timeout: opts.commitTimeout ?? 0 });
  await d.pump(opts.chunkSize ?? 1024, async (offset, chunk) => {
    const data = Buffer.from(chunk).toString('base64');
    for (let attempt = 1; ; attempt++) {
      try {
        await call('OTA.Write', { offset, data });
        return;
      } catch (e) {
        if (e instanceof RpcError || attempt >= WRITE_TRIES) throw e;
      }
    }
  });
  await call('OTA.End', {}, 60_000);
  d.finish();
}

/** Rig entry `transport: { kind: 'mos-rpc', ... }`. */
export const mosRpcTransport = defineKind({
  kind: 'mos-rpc',
  description: 'Mongoose OS RPC over the serial console, as `mos ota` and `mos call OTA.*` do',
  options: {
    mode: Type.Optional(Type.Union([Type.Literal('push'), Type.Literal('url')], { default: 'push', description: 'push: OTA.Begin/Write/End as `mos ota`; url: OTA.Update {url} from a harness-hosted server' })),
    chunkSize: Type.Optional(Type.Integer({ minimum: 16, maximum: 65536, default: 1024 })),
    framing: Type.Optional(
      Type.Union([Type.Literal('delimited'), Type.Literal('newline')], {
        default: 'delimited',
        description: 'delimited: EOF handshake, then """{json}crc""" frames; newline: {json}crc, one per line (rpc-uart since 2018, as mos sends today)',
      }),
    ),
    commitTimeout: Type.Optional(Type.Integer({ minimum: 0, description: 'seconds, passed to OTA.Begin / OTA.Update (0: commit at once)' })),
    host: Type.Optional(Type.String({ default: '127.0.0.1', description: 'url mode: address the image server binds and advertises' })),
    timeoutMs: StepTimeout,
    requestTimeoutMs: RequestTimeout(REQUEST_MS),
  },
  create: (config, ctx: TransportContext): OtaTransport => new MosRpcTransport(config, ctx.board, ctx.console),
});
