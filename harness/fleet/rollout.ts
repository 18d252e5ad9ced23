// The rollout service, playing the cloud: a release (an image per stack), targets picked by the
// OTA_HIL_BOARDS tag-filter syntax, delivery through each board's own transport — now to boards
// that are online (immediate), or at each board's next check-in (gradual; and always for boards
// offline now) — and each board's state, derived only from what the harness sees: its console
// (boots through the stack's boot-log parser, a deferral line) and its transport's results.
import type { Board } from '../fixtures/board.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import type { OtaDelivery } from '../ota/transport.ts';
import type { Boot } from '../bootlog/boot.ts';
import type { StackName } from '../rig/schema.ts';
import { matchesFilter, parseFilter } from '../rig/filter.ts';
import { sameVersion } from '../fixtures/to-boot.ts';
import { Waiters } from '../waiters.ts';

export const BOARD_STATES = ['pending', 'notified', 'delivering', 'deferred', 'installed', 'trial', 'committed', 'reverted', 'failed'] as const;
export type BoardState = (typeof BOARD_STATES)[number];

export interface RolloutOptions {
  /** Which boards, as OTA_HIL_BOARDS says it: "arch=esp8266,stack!=rboot". Empty: every board. */
  filter?: string;
  /** immediate: online boards now, the rest when they come online; gradual: each at its next check-in (boot). */
  mode?: 'immediate' | 'gradual';
  /** The release: an image name for all, or per stack (default "candidate"). */
  release?: string | Partial<Record<StackName, string>>;
  /** What the boards run before (default "baseline"), for "on baseline". */
  baseline?: string;
  /** Commit a board's trial image, or withhold it (default: confirm every board). */
  commit?: (board: Board) => 'confirm' | 'withhold';
  /** A console line that says the board deferred the update (default: Particle's and "update pending"). */
  deferral?: RegExp;
  /** Deliveries tried per board before it counts as failed for good (default 5). */
  attempts?: number;
}

export interface Transition {
  /** ms since the rollout started. */
  t: number;
  state: BoardState;
  why: string;
}

export interface BoardRecord {
  board: string;
  stack: StackName;
  state: BoardState;
  history: Transition[];
  attempts: number;
  /** What the last settled boot ran, as the console shows it. */
  version: string | null;
  onCandidate: boolean;
  onBaseline: boolean;
  bricked: boolean;
}

const DEFERRAL = /firmware_update_pending|update pending/i;
const TICK_MS = 50;

class Tracked {
  state: BoardState = 'pending';
  history: Transition[] = [];
  attempts = 0;
  delivery: OtaDelivery | null = null;
  /** Console line index from which boots count as "after the notification". */
  notifiedAt = 0;
  /** Boots seen so far (their start lines), so each settled boot is judged once. */
  judged = new Set<number>();
  lastLines = -1;
  last: Boot | null = null;
  committing = false;
  committed = false;

  constructor(
    readonly board: Board,
    readonly image: FirmwareImage,
    readonly baseline: FirmwareImage | undefined,
    readonly startLine: number,
  ) {}
}

export class Rollout {
  private readonly tracked: Tracked[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly t0 = performance.now();
  private convergedAt: number | null = null;
  private readonly waiters = new Waiters();
  readonly excluded: string[];

  constructor(
    boards: readonly Board[],
    private readonly opts: RolloutOptions = {},
  ) {
    const terms = parseFilter(opts.filter ?? '');
    const targets = boards.filter((b) => matchesFilter(b.config, terms));
    this.excluded = boards.filter((b) => !targets.includes(b)).map((b) => b.name);
    for (const b of targets) {
      const name = typeof opts.release === 'string' ? opts.release : (opts.release?.[b.stack] ?? 'candidate');
      const image = b.images[name];
      if (!image) throw new Error(`rollout: ${b.name} (${b.stack}) has no image "${name}" in the release`);
      const t = new Tracked(b, image, b.images[opts.baseline ?? 'baseline'], b.console.lines.length);
      t.history.push({ t: 0, state: 'pending', why: `targeted by "${opts.filter ?? ''}"` });
      this.tracked.push(t);
    }
  }

  get mode(): 'immediate' | 'gradual' {
    return this.opts.mode ?? 'immediate';
  }

  /** Begin: immediate deliveries go out now; the rest follow as boards check in. */
  start(): this {
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
    this.tick();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  now(): number {
    return performance.now() - this.t0;
  }

  records(): BoardRecord[] {
    return this.tracked.map((t) => ({
      board: t.board.name,
      stack: t.board.stack,
      state: t.state,
      history: t.history,
      attempts: t.attempts,
      version: t.last?.version ?? null,
      onCandidate: t.last !== null && sameVersion(t.last.version, t.image.version),
      onBaseline: t.last !== null && t.baseline !== undefined && sameVersion(t.last.version, t.baseline.version),
      bricked: t.last !== null && (t.last.slot === 'none' || t.last.event === 'brick'),
    }));
  }

  state(board: string): BoardState {
    return this.find(board).state;
  }

  /** Targets whose commit the scenario withholds: they are meant to end on the baseline. */
  withheld(): string[] {
    return this.tracked.filter((t) => (this.opts.commit?.(t.board) ?? 'confirm') === 'withhold').map((t) => t.board.name);
  }

  /** The delivery in flight to `board` (for hold points: a cut at an exact byte), if any. */
  delivery(board: string): OtaDelivery | null {
    return this.find(board).delivery;
  }

  /** Console line where the current offer to `board` began. */
  offeredAt(board: string): number {
    return this.find(board).notifiedAt;
  }

  private find(board: string): Tracked {
    const t = this.tracked.find((x) => x.board.name === board);
    if (!t) throw new Error(`rollout: ${board} is not a target (targets: ${this.tracked.map((x) => x.board.name).join(', ')})`);
    return t;
  }

  /** Resolves once every target's state satisfies `done`; rejects after `timeoutMs` naming the boards still out. */
  async until(done: (r: BoardRecord) => boolean, timeoutMs: number, what = 'the rollout to settle'): Promise<BoardRecord[]> {
    return this.waiters.until(
      () => (this.records().every(done) ? this.records() : undefined),
      timeoutMs,
      () => {
        const out = this.records().filter((r) => !done(r)).map((r) => `${r.board}: ${r.state}${r.version ? ` (runs ${r.version})` : ''}`);
        return new Error(`rollout: ${what} within ${timeoutMs} ms; still out: ${out.join('; ')}`);
      },
    );
  }

  /** Time from start until every target last reached committed or a final state; null while any is still moving. */
  get timeToConvergeMs(): number | null {
    return this.convergedAt;
  }

  private set(t: Tracked, state: BoardState, why: string): void {
    if (t.state === state) return;
    t.state = state;
    t.history.push({ t: Math.round(this.now()), state, why });
    t.board.console.note(`rollout: ${state} (${why})`);
  }

  private tick(): void {
    for (const t of this.tracked) {
      try {
        this.advance(t);
      } catch (e) {
        this.fail(t, (e as Error).message);
      }
    }
    const settled = this.tracked.every((t) => t.state === 'committed' || t.state === 'reverted' || (t.state === 'failed' && t.attempts >= (this.opts.attempts ?? 5)));
    if (settled && this.convergedAt === null) this.convergedAt = Math.round(this.now());
    if (!settled) this.convergedAt = null;
    this.waiters.notify();
  }

  /** The board is up now: its last boot settled, ran something, and no power cut came after it. */
  private online(t: Tracked): boolean {
    const b = t.last;
    if (!b || !b.complete || b.slot === 'none' || b.event === 'brick') return false;
    const off = t.board.console.events.filter((e) => e.text.startsWith('power off')).at(-1);
    return !off || off.atLine <= b.startLine;
  }

  private advance(t: Tracked): void {
    // Delivery first, then boots: a board that got the image and rebooted since the last look did so in that order.
    const d = t.delivery;
    if (d && (t.state === 'notified' || t.state === 'delivering' || t.state === 'deferred' || t.state === 'failed')) {
      const p = d.progress();
      if (p.phase === 'transferring' && p.bytes > 0 && t.state !== 'delivering') this.set(t, 'delivering', `${p.bytes}/${p.total} bytes`);
      else if (p.phase === 'delivered') this.set(t, 'installed', `${p.total} bytes delivered (${t.board.ota.kind})`);
      else if (p.phase === 'failed' && t.state !== 'failed') {
        this.fail(t, `delivery failed after ${p.bytes}/${p.total} bytes; retried at the next check-in`);
      }
    }
    const lines = t.board.console.lines;
    if (lines.length !== t.lastLines) {
      t.lastLines = lines.length;
      for (const boot of t.board.boots.all()) {
        if (!boot.complete) continue;
        t.last = boot;
        if (boot.startLine < t.startLine || t.judged.has(boot.startLine)) continue;
        t.judged.add(boot.startLine);
        this.judgeBoot(t, boot);
      }
      if ((t.state === 'notified' || t.state === 'delivering') && lines.slice(t.notifiedAt).some((l) => (this.opts.deferral ?? DEFERRAL).test(l.text))) {
        this.set(t, 'deferred', 'the board says the update is pending');
      }
    }
    if (t.state === 'pending' || (t.state === 'failed' && !t.delivery && t.attempts < (this.opts.attempts ?? 5))) this.maybeNotify(t);
  }

  private maybeNotify(t: Tracked): void {
    if (!this.online(t)) return;
    // A check-in is a boot the board made since the rollout began (gradual) or since its last try
    // failed (a retry); an immediate rollout offers it to a board that is up already.
    // (A boot since the failed offer, not since the failure was noticed: a cut board may be up again first.)
    const since = t.state === 'failed' ? t.notifiedAt : this.mode === 'gradual' ? t.startLine : 0;
    if (t.last!.startLine < since) return;
    t.attempts++;
    t.notifiedAt = t.board.console.lines.length;
    t.delivery = null;
    this.set(t, 'notified', `attempt ${t.attempts}: ${t.image.name} ${t.image.version} over ${t.board.ota.kind}`);
    t.board.ota.start(t.image).then(
      (d) => (t.delivery = d),
      (e: unknown) => this.fail(t, `could not start the delivery: ${(e as Error).message}`),
    );
  }

  private fail(t: Tracked, why: string): void {
    t.delivery = null;
    this.set(t, 'failed', why);
  }

  private judgeBoot(t: Tracked, boot: Boot): void {
    if (t.state === 'pending') return; // not yet offered: a boot is just a check-in
    if (boot.slot === 'none' || boot.event === 'brick') {
      this.fail(t, `boot ${boot.index}: nothing runs (${boot.event}${boot.slot ? `, ${boot.slot}` : ''})`);
      return;
    }
    const onCandidate = sameVersion(boot.version, t.image.version);
    if (onCandidate) {
      const promises = t.board.promises;
      if (t.committed) this.set(t, 'committed', `boot ${boot.index}: ${boot.version} (${boot.event})`);
      else if (!promises.withheldCommit) {
        t.committed = true; // nothing to commit: the stack keeps what it booted
        this.set(t, 'committed', `boot ${boot.index}: ${boot.version} (${boot.event}); the stack has no trial`);
      } else if (boot.event === 'normal') {
        t.committed = true; // confirmed by itself (or earlier)
        this.set(t, 'committed', `boot ${boot.index}: ${boot.version} confirmed`);
      } else {
        this.set(t, 'trial', `boot ${boot.index}: ${boot.version} (${boot.event})`);
        this.commit(t);
      }
      return;
    }
    const wasTried = t.state === 'trial';
    if (wasTried || boot.event === 'revert' || boot.event === 'rollback') {
      this.set(t, 'reverted', `boot ${boot.index}: ${boot.version ?? '?'} (${boot.event})`);
      return;
    }
    if (t.state === 'installed') {
      // Everything was delivered, and still the old image runs: the board refused or lost it.
      this.fail(t, `boot ${boot.index}: still ${boot.version ?? '?'} after the delivery; retried at the next check-in`);
    }
  }

  private commit(t: Tracked): void {
    if (t.committing || (this.opts.commit?.(t.board) ?? 'confirm') === 'withhold') return;
    t.committing = true;
    t.board.commit().then(
      () => {
        t.committed = true;
        this.set(t, 'committed', 'commit acknowledged');
      },
      (e: unknown) => t.board.console.note(`rollout: commit failed: ${(e as Error).message}`),
    ).finally(() => (t.committing = false));
  }
}
