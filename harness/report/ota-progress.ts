// Delivery progress over time, for the timeline: where the download stood when power was cut.
// Sampled from the transport-neutral OtaDelivery.progress() so every transport gets it for free;
// the board also samples at the instant of a cut, so the picture is exact where it matters.
import type { OtaDelivery, OtaPhase } from '../ota/transport.ts';
import { pct } from './timeline.ts';

export interface OtaSample {
  /** Console clock (ms since the console opened). */
  t: number;
  /** Which delivery (0, 1, ...) in this test. */
  delivery: number;
  /** "candidate 1.1.0". */
  image: string;
  bytes: number;
  total: number;
  phase: OtaPhase;
  /** Taken by the board just before it cut power: where the cut hit. */
  cut?: true;
}

export class OtaProgressLog {
  readonly samples: OtaSample[] = [];
  private readonly tracked: { delivery: OtaDelivery; id: number; image: string }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(s: OtaSample) => void>();

  constructor(
    private readonly now: () => number,
    private readonly intervalMs = 10,
  ) {}

  track(delivery: OtaDelivery, image: string): void {
    this.tracked.push({ delivery, id: this.tracked.length, image });
    this.sample();
    // unref: a forgotten log must never keep the worker alive. Deliveries stay tracked until
    // stop(): a failed download may be requested again after the board reboots.
    this.timer ??= setInterval(() => this.sample(), this.intervalMs).unref();
  }

  /** Every sample from now on, as it is taken (the live log); returns the unsubscribe function. */
  onSample(fn: (s: OtaSample) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Record every tracked delivery whose progress changed since its last sample. */
  sample(): void {
    const t = this.now();
    for (const a of this.tracked) {
      const p = a.delivery.progress();
      const last = this.lastOf(a.id);
      // Steps of 0.5% or a phase change: at most ~200 points per download.
      const moved = !last || last.phase !== p.phase || Math.abs(p.bytes - last.bytes) >= Math.max(1, p.total / 200);
      if (moved) this.push({ t, delivery: a.id, image: a.image, bytes: p.bytes, total: p.total, phase: p.phase });
    }
  }

  /**
   * Record every tracked delivery as it stands, marked as the moment power is cut. Returns where
   * the cut hits a download in flight ("at 50% of candidate 1.1.0"), or '' when none is.
   */
  atCut(): string {
    const t = this.now();
    const hits: string[] = [];
    for (const a of this.tracked) {
      const p = a.delivery.progress();
      this.push({ t, delivery: a.id, image: a.image, bytes: p.bytes, total: p.total, phase: p.phase, cut: true });
      if (p.phase === 'transferring') hits.push(`at ${pct(p.bytes / p.total)} of ${a.image}`);
    }
    return hits.join(', ');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private push(s: OtaSample): void {
    this.samples.push(s);
    for (const l of this.listeners) l(s);
  }

  private lastOf(id: number): OtaSample | undefined {
    for (let i = this.samples.length - 1; i >= 0; i--) if (this.samples[i]!.delivery === id) return this.samples[i];
    return undefined;
  }
}
