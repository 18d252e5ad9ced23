// Progress, hold points and failure for any transport where bytes flow through the harness.
// The transport asks `take()` how many bytes it may hand over next, so a hold point stops the
// flow at the exact byte; it reports what the board accepted with `advance()`.
import type { FirmwareImage } from '../fixtures/images.ts';
import { OtaError, type HoldPoint, type OtaDelivery, type OtaPhase, type OtaProgress } from './transport.ts';

/** How long a delivery may take when the rig gives no transport timeoutMs. */
export const DELIVERY_TIMEOUT_MS = 120_000;

export class ByteDelivery implements OtaDelivery {
  private bytes = 0;
  private phase: OtaPhase = 'waiting';
  private holdAt: number | null = null;
  private release: (() => void) | null = null;
  private listeners = new Set<() => void>();
  private failure: string | null = null;
  /** What "bytes" counts, for messages: "served", "acknowledged", ... */
  counted = 'delivered';
  /** Said when the transfer never started (e.g. "the board never requested the image"). */
  neverStarted = 'the transfer never started';

  constructor(
    readonly image: FirmwareImage,
    private readonly board: string,
    private readonly kind: string,
    /** Bounds every wait on this delivery; a cloud transport's wait for the board too. */
    readonly timeoutMs: number = DELIVERY_TIMEOUT_MS,
  ) {}

  get total(): number {
    return this.image.bytes.length;
  }

  progress(): OtaProgress {
    return { phase: this.phase, bytes: this.bytes, total: this.total };
  }

  reached(point: HoldPoint, opts: { timeout?: number } = {}): Promise<OtaProgress> {
    let at: number;
    try {
      at = holdPointBytes(point, this.total);
    } catch (e) {
      return Promise.reject(new OtaError(`${this.board}: ${this.kind}: ${(e as Error).message}`));
    }
    this.holdAt = at;
    return this.until(
      () => this.bytes >= at && (this.phase !== 'transferring' || this.release !== null || at === this.total),
      opts.timeout,
      `${at}/${this.total} bytes ${this.counted}`,
    );
  }

  resume(): void {
    this.holdAt = null;
    this.release?.();
  }

  delivered(opts: { timeout?: number } = {}): Promise<OtaProgress> {
    return this.until(() => this.phase === 'delivered', opts.timeout, `the whole image ${this.counted}`);
  }

  // ---- the transport's side ----

  /** A new transfer attempt starts from `from` (0, or a resume offset). */
  begin(from = 0): void {
    this.bytes = from;
    this.phase = 'transferring';
    this.failure = null;
    this.changed();
  }

  /**
   * How many of the next `want` bytes may go now. Parks at a hold point until resume() or
   * abort; returns 0 only when `stop()` says the transfer is over (connection gone).
   */
  async take(want: number, stop: () => boolean = () => false): Promise<number> {
    for (;;) {
      if (stop() || this.failure) return 0;
      if (this.holdAt === null || this.holdAt > this.bytes) {
        return Math.min(want, this.holdAt === null ? want : this.holdAt - this.bytes);
      }
      await this.park();
    }
  }

  /**
   * The whole image from byte 0, in chunks of at most `chunk` bytes, each cut short at a hold
   * point; `send` hands one over and returns the offset the board wants next (default: just after it).
   */
  async pump(chunk: number, send: (offset: number, data: Uint8Array) => Promise<number | void>): Promise<void> {
    const bytes = this.image.bytes;
    this.begin();
    let off = 0;
    while (off < bytes.length) {
      const n = await this.take(Math.min(chunk, bytes.length - off));
      if (n === 0) throw new Error(this.failure ?? `stopped after ${off}/${bytes.length} bytes`);
      off = (await send(off, bytes.subarray(off, off + n))) ?? off + n;
      this.set(Math.min(off, bytes.length));
    }
  }

  /** The byte a scenario holds at, if any. */
  get holdPoint(): number | null {
    return this.holdAt;
  }

  /** Sit at the hold point until resume(), wake() or failure (for transports that pause otherwise). */
  async park(): Promise<void> {
    const parked = new Promise<void>((resolve) => (this.release = resolve));
    this.changed();
    await parked;
    this.release = null;
  }

  /** Wake a parked take() (the connection closed, power went). */
  wake(): void {
    this.release?.();
  }

  advance(n: number): void {
    this.bytes += n;
    this.changed();
  }

  set(bytes: number): void {
    this.bytes = bytes;
    this.changed();
  }

  finish(): void {
    this.phase = 'delivered';
    this.changed();
  }

  fail(reason: string): void {
    if (this.phase === 'delivered') return; // every byte is out: later trouble is the board's verdict
    this.phase = 'failed';
    this.failure = reason;
    this.release?.();
    this.changed();
  }

  /** The transport closed under a delivery. */
  abort(reason = 'transport closed'): void {
    if (this.phase === 'delivered') return;
    this.failure ??= reason;
    if (this.phase !== 'transferring') this.phase = 'failed';
    this.release?.();
    this.changed();
  }

  get failed(): string | null {
    return this.failure;
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
          reject(new OtaError(`${this.board}: ${this.kind}: waiting for ${what}: ${this.failure}`));
        }
      };
      const timer = setTimeout(() => {
        stop();
        const p = this.progress();
        reject(
          new OtaError(
            `${this.board}: ${this.kind}: waiting for ${what}: timed out after ${timeout} ms (phase ${p.phase}, ${p.bytes}/${p.total} bytes ${this.counted}${p.phase === 'waiting' ? `; ${this.neverStarted}` : ''})`,
          ),
        );
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

/**
 * The uploads a transport runs over one channel (a console, a device's RPC topic): one channel,
 * one upload, so a new one aborts the earlier (held at a cut, say) lest it resume into the new one.
 */
export class Uploads {
  private readonly live = new Set<ByteDelivery>();

  constructor(
    private readonly board: string,
    private readonly kind: string,
    private readonly timeoutMs: number | undefined,
  ) {}

  /** A fresh delivery of `image`, counting the bytes the board acknowledged. */
  next(image: FirmwareImage): ByteDelivery {
    this.close('superseded by a new delivery');
    const d = new ByteDelivery(image, this.board, this.kind, this.timeoutMs);
    d.counted = 'acknowledged';
    this.live.add(d);
    return d;
  }

  close(reason?: string): void {
    for (const d of this.live) d.abort(reason);
    this.live.clear();
  }
}

/** The byte a hold point names; a point the image cannot have is refused with the valid range. */
export function holdPointBytes(point: HoldPoint, total: number): number {
  const { fraction, bytes } = point;
  if (fraction !== undefined && bytes !== undefined) throw new Error(`a hold point is a fraction or a byte count, not both (got fraction ${fraction}, bytes ${bytes})`);
  if (bytes !== undefined) {
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > total) throw new Error(`hold point bytes: ${bytes} must be a whole number between 0 and ${total} (the image size)`);
    return bytes;
  }
  const f = fraction ?? 1;
  if (typeof f !== 'number' || !Number.isFinite(f) || f < 0 || f > 1) {
    throw new Error(`hold point fraction: ${f} must be between 0 and 1 (a share of the ${total}-byte image${typeof f === 'number' && f > 1 && f <= 100 ? `; ${f}% is fraction ${f / 100}` : ''})`);
  }
  return Math.round(f * total);
}
