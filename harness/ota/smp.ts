// mcumgr SMP over the serial console (MCUboot/Zephyr): image upload in chunks the board
// acknowledges with the next offset it wants, then image test (or confirm) and reset, as
// `mcumgr image upload / image list / image test / image confirm / reset` do. Acknowledged bytes
// are the progress; a hold point stops before the next upload request.
import { createHash } from 'node:crypto';
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { RequestTimeout, StepTimeout } from '../rig/schema-parts.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import { closeParts, type OtaDelivery, type OtaTransport, type TransportContext } from './transport.ts';
import { Uploads, type ByteDelivery } from './delivery.ts';
import { rawLines } from './console-frames.ts';
import type { CborValue } from './proto/cbor.ts';
import { Replies } from '../waiters.ts';
import { ImageId, OsId, SmpDeframer, SmpGroup, SmpOp, decodeSmp, encodeSmp, frameSmp } from './proto/smp.ts';

type SmpConfig = Static<typeof smpTransport.schema>;
/** Per request (mcumgr's own default is shorter still), tried twice. */
const REQUEST_MS = 5_000;
const TRIES = 2;

export interface SmpImageSlot {
  image?: number;
  slot: number;
  version: string;
  hash: Uint8Array;
  bootable?: boolean;
  pending?: boolean;
  confirmed?: boolean;
  active?: boolean;
  permanent?: boolean;
}

export class SmpError extends Error {
  override name = 'SmpError';
}

/** Request/response over the console, matched by sequence number. */
export class SmpClient {
  private deframer = new SmpDeframer();
  private readonly replies = new Replies<number, { body: Record<string, CborValue>; op: number }>();
  private seq = 0;
  private untap: () => void;

  constructor(
    private readonly console: Console,
    private readonly what: string,
    private readonly requestMs = REQUEST_MS,
  ) {
    this.untap = rawLines(console, (line) => {
      this.deframer.push(line, (pkt) => {
        try {
          const { header, body } = decodeSmp(pkt);
          this.replies.settle(header.seq, { body, op: header.op });
        } catch {
          // a garbled response: the request times out and is retried
        }
      });
    });
  }

  async request(op: number, group: number, id: number, body: Record<string, CborValue>, what: string, timeoutMs = this.requestMs): Promise<Record<string, CborValue>> {
    for (let attempt = 1; ; attempt++) {
      const seq = this.seq++ & 0xff;
      const reply = this.replies.next(seq, timeoutMs, (r) => r.op === op + 1); // the answer to this op
      for (const line of frameSmp(encodeSmp({ op, group, id, seq }, body))) await this.console.write(Buffer.concat([line, Buffer.from('\n')]));
      const rsp = (await reply)?.body;
      if (rsp) {
        const rc = typeof rsp.rc === 'number' ? rsp.rc : 0;
        if (rc !== 0) throw new SmpError(`${this.what}: ${what}: the board answered rc=${rc}${typeof rsp.rsn === 'string' ? ` (${rsp.rsn})` : ''}`);
        return rsp;
      }
      if (attempt >= TRIES) throw new SmpError(`${this.what}: ${what}: no response within ${timeoutMs} ms (${TRIES} tries)`);
    }
  }

  async list(): Promise<SmpImageSlot[]> {
    const rsp = await this.request(SmpOp.READ, SmpGroup.IMAGE, ImageId.STATE, {}, 'image list');
    return Array.isArray(rsp.images) ? (rsp.images as unknown as SmpImageSlot[]) : [];
  }

  /** image test (confirm=false) or image confirm (confirm=true; no hash: the running image). */
  async state(hash: Uint8Array | undefined, confirm: boolean): Promise<SmpImageSlot[]> {
    const rsp = await this.request(SmpOp.WRITE, SmpGroup.IMAGE, ImageId.STATE, { ...(hash ? { hash } : {}), confirm }, confirm ? 'image confirm' : 'image test');
    return Array.isArray(rsp.images) ? (rsp.images as unknown as SmpImageSlot[]) : [];
  }

  async reset(): Promise<void> {
    await this.request(SmpOp.WRITE, SmpGroup.OS, OsId.RESET, {}, 'reset');
  }

  async echo(text: string): Promise<string> {
    const rsp = await this.request(SmpOp.WRITE, SmpGroup.OS, OsId.ECHO, { d: text }, 'echo');
    return typeof rsp.r === 'string' ? rsp.r : '';
  }

  close(): void {
    this.untap();
  }
}

export class SmpTransport implements OtaTransport {
  readonly kind = 'smp';
  readonly client: SmpClient;
  private readonly uploads: Uploads;

  constructor(
    private readonly config: SmpConfig,
    board: string,
    private readonly console: Console,
  ) {
    this.client = new SmpClient(console, `${board}: smp`, config.requestTimeoutMs);
    this.uploads = new Uploads(board, this.kind, config.timeoutMs);
  }

  start(image: FirmwareImage): Promise<OtaDelivery> {
    const d = this.uploads.next(image);
    void this.upload(d).catch((e: Error) => d.fail(e.message));
    return Promise.resolve(d);
  }

  close(): Promise<void> {
    return closeParts(this.uploads, this.client);
  }

  private async upload(d: ByteDelivery): Promise<void> {
    const bytes = d.image.bytes;
    const sha = createHash('sha256').update(bytes).digest();
    this.console.note(`ota: smp image upload ${d.image.name} ${d.image.version} (${bytes.length} bytes)`);
    await d.pump(this.config.chunkSize ?? 256, async (off, data) => {
      const body: Record<string, CborValue> = off === 0 ? { image: 0, len: bytes.length, off, sha: Uint8Array.from(sha.subarray(0, 32)), data } : { off, data };
      const rsp = await this.client.request(SmpOp.WRITE, SmpGroup.IMAGE, ImageId.UPLOAD, body, `image upload at offset ${off}`);
      // the board says where it wants the next chunk
      return typeof rsp.off === 'number' ? rsp.off : undefined;
    });
    const slots = await this.client.list();
    const staged = slots.find((s) => s.slot === 1 && (s.image ?? 0) === 0);
    if (!staged?.hash) throw new Error('image list shows no image in slot 1 after the upload');
    const hashHex = Buffer.from(staged.hash).toString('hex');
    this.console.note(`ota: smp uploaded; slot 1 holds ${staged.version} hash ${hashHex}`);
    const confirm = this.config.upgrade === 'confirm';
    await this.client.state(staged.hash, confirm);
    this.console.note(`ota: smp image ${confirm ? 'confirm' : 'test'} ${hashHex}`);
    if (this.config.reset ?? true) {
      this.console.note('ota: smp reset');
      await this.client.reset();
    }
    d.finish();
  }
}

/** Rig entry `transport: { kind: 'smp', ... }`. */
export const smpTransport = defineKind({
  kind: 'smp',
  description: 'mcumgr SMP over the serial console (MCUboot/Zephyr): image upload, test/confirm, reset',
  options: {
    chunkSize: Type.Optional(Type.Integer({ minimum: 16, maximum: 4096, default: 256, description: 'image bytes per upload request' })),
    upgrade: Type.Optional(Type.Union([Type.Literal('test'), Type.Literal('confirm')], { default: 'test', description: 'after the upload: `image test` (trial) or `image confirm` (permanent)' })),
    reset: Type.Optional(Type.Boolean({ default: true, description: 'send the reset command after marking the image' })),
    timeoutMs: StepTimeout,
    requestTimeoutMs: RequestTimeout(REQUEST_MS),
  },
  create: (config, ctx: TransportContext): OtaTransport => new SmpTransport(config, ctx.board, ctx.console),
});
