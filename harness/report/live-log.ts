// A board's console as it happens, for someone watching a run from another terminal: every line
// received and every harness note (power, OTA progress, cuts, verdicts) is appended to
// <reports>/live/<rig>/<board>.log the moment it is recorded. `tail -f` or
// `ota-hil console BOARD --follow` reads it; neither touches the port or the board's lock.
// Parallel workers may each simulate a board of the same name: every line names its worker.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fmtTime, type Console, type ConsoleRecord } from '../console/console.ts';
import type { OtaProgressLog, OtaSample } from './ota-progress.ts';
import { pct } from './timeline.ts';

/** Where a run writes its reports (playwright.config.ts reads the same variable). */
export function reportsDir(): string {
  return process.env.OTA_HIL_REPORTS ?? 'reports';
}

export function liveLogPath(reports: string, rig: string, board: string): string {
  return path.join(reports, 'live', rig, `${board}.log`);
}

/** Marks the start of a test's share of the log: a follower starts printing from the last one. */
const SESSION_MARK = '────';

export function isSessionStart(line: string): boolean {
  return /^\S+ \S+ +──── (?!end: )/.test(line);
}

export interface LiveLogOptions {
  file: string;
  /** Which worker writes ("w3"). */
  tag: string;
  /** What runs now: "sim/mcuboot-1 › power loss during the download › cut at 50%". */
  title: string;
}

export class LiveLog {
  private fd: number | null;
  private readonly unsubscribe: (() => void)[] = [];
  /** Per delivery: the last tenth of the transfer written, so progress is a line per 10%. */
  private readonly tenths = new Map<number, number>();

  constructor(private readonly opts: LiveLogOptions) {
    mkdirSync(path.dirname(opts.file), { recursive: true });
    this.fd = openSync(opts.file, 'a');
    this.write(`${SESSION_MARK} ${opts.title} (${opts.tag}) ${SESSION_MARK}`);
  }

  /** Follow `console` (what it recorded so far first) and `ota`'s progress until end(). */
  follow(console: Console, ota?: OtaProgressLog): this {
    let e = 0;
    const events = console.events;
    for (const l of console.lines) {
      while (e < events.length && events[e]!.atLine <= l.n) this.record({ t: events[e]!.t, kind: 'note', text: events[e++]!.text });
      this.record({ t: l.t, kind: 'line', text: l.text });
    }
    while (e < events.length) this.record({ t: events[e]!.t, kind: 'note', text: events[e++]!.text });
    this.unsubscribe.push(console.onRecord((r) => this.record(r)));
    if (ota) this.unsubscribe.push(ota.onSample((s) => this.progress(s)));
    return this;
  }

  record(r: ConsoleRecord): void {
    this.write(`${fmtTime(r.t)}  ${r.kind === 'note' ? '## ' : ''}${r.text}`);
  }

  /** A line per tenth of a transfer, and one where it ends or is cut. */
  progress(s: OtaSample): void {
    const tenth = s.total ? Math.floor((s.bytes / s.total) * 10) : 0;
    const last = this.tenths.get(s.delivery);
    const ends = !s.cut && (s.phase === 'delivered' || s.phase === 'failed');
    const moved = s.phase === 'transferring' && (s.cut || tenth !== last);
    if (!ends && !moved) return;
    this.tenths.set(s.delivery, tenth);
    const at = `${pct(s.total ? s.bytes / s.total : 0)} (${s.bytes}/${s.total} B)`;
    this.record({ t: s.t, kind: 'note', text: `ota progress: ${s.image} ${s.cut ? `at the cut: ${at}, ${s.phase}` : ends ? `${s.phase} at ${at}` : at}` });
  }

  end(verdict: string): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.write(`${SESSION_MARK} end: ${verdict} ${SESSION_MARK}`);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private write(text: string): void {
    if (this.fd === null) return;
    const wall = new Date().toISOString().slice(11, 23);
    try {
      writeSync(this.fd, `${wall} ${this.opts.tag.padEnd(3)} ${text}\n`);
    } catch {
      // A full disk or a removed reports dir must not fail the scenario: the live log is a courtesy.
      this.fd = null;
    }
  }
}
