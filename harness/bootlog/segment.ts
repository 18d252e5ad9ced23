// Splitting a console capture into boots, and the shared last steps of every parser.
//
// Boot boundaries are found by meaning, not by one exact line: each parser ranks the lines it
// knows by how early in a boot they appear (ROM banner 0, reset reason, ROM loader, bootloader
// banner, bootloader decisions, application). A boundary line starts a new boot only when the
// current boot has already reached that stage, so "ESP-ROM: … rst: … 2nd stage bootloader" stays
// one boot while a second "rst:" or a second bootloader banner starts the next one.
import type { Boot, BootEvent } from './boot.ts';
import { crashKind } from './lines.ts';

export interface LineClass {
  /** How early in a boot the line appears; larger is later. */
  rank: number;
  /** The line can open a boot (ROM banner, bootloader banner). */
  boundary: boolean;
}

export type Classifier = (text: string, i: number, texts: readonly string[]) => LineClass | null;

export interface Segment {
  start: number;
  end: number;
  /** Lines before the first boundary: a boot only if the parser finds bootloader output in them. */
  preamble: boolean;
}

export function segment(texts: readonly string[], classify: Classifier): Segment[] {
  const segs: Segment[] = [];
  let cur: Segment | null = null;
  let reached = -Infinity;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    if (!t) continue;
    let c: LineClass | null = null;
    try {
      c = classify(t, i, texts);
    } catch {
      c = null; // a classifier bug must not turn garbage into an exception
    }
    if (!c) continue;
    if (c.boundary && (cur === null || reached >= c.rank)) {
      if (cur) cur.end = i - 1;
      else if (i > 0) segs.push({ start: 0, end: i - 1, preamble: true });
      cur = { start: i, end: texts.length - 1, preamble: false };
      segs.push(cur);
      reached = c.rank;
    } else if (cur) {
      reached = Math.max(reached, c.rank);
    }
  }
  if (segs.length === 0 && texts.length > 0) segs.push({ start: 0, end: texts.length - 1, preamble: true });
  return segs;
}

/** What a parser found in one boot, before the shared finishing steps. */
export interface Draft {
  start: number;
  end: number;
  slot: string | null;
  event: BootEvent;
  version: string | null;
  evidence: number[];
  notes: string[];
  /** The application visibly started. */
  appUp: boolean;
  /** A definite failure (bootloader gave up, ROM error, app crash): the boot is over. */
  failure: string | null;
}

export function draft(seg: Segment): Draft {
  return {
    start: seg.start,
    end: seg.end,
    slot: null,
    event: 'unknown',
    version: null,
    evidence: [],
    notes: [],
    appUp: false,
    failure: null,
  };
}

/** An app crash on line `i` is the boot's failure, unless it has one already. */
export function noteCrash(d: Draft, text: string, i: number): void {
  const crash = crashKind(text);
  if (!crash || d.failure) return;
  d.failure = `app crashed: ${crash}`;
  d.notes.push(d.failure);
  d.evidence.push(i);
}

/** The same failure on this many boots in a row is a boot loop: the device is bricked. */
const LOOP_MIN = 3;

/**
 * Mark boot loops, settle completeness, and produce the contract's Boot objects. A boot's note
 * does not count the loop's boots: a longer loop must not rewrite the boots already reported.
 */
export function finish(drafts: Draft[]): Boot[] {
  for (const d of drafts) if (d.failure && !d.notes.includes(d.failure)) d.notes.push(d.failure);
  for (let i = 0; i < drafts.length; ) {
    const f = drafts[i]?.failure;
    let j = i + 1;
    while (f && j < drafts.length && drafts[j]?.failure === f && drafts[j]?.version === drafts[i]?.version) j++;
    if (f && j - i >= LOOP_MIN) {
      for (let k = i; k < j; k++) {
        const d = drafts[k];
        if (!d) continue;
        d.slot = 'none';
        d.event = 'brick';
        if (!d.notes.some((n) => n.startsWith('boot loop'))) d.notes.push(`boot loop: the same failure at every boot (${LOOP_MIN} or more in a row)`);
      }
    }
    i = Math.max(j, i + 1);
  }
  // A capture cut right after the next reset of a boot loop: that fragment is the loop going on.
  const last = drafts[drafts.length - 1];
  const before = drafts[drafts.length - 2];
  // Likewise after a bootloader that found nothing to run: no app ran since, so nothing changed.
  // Not a strapping problem (download mode): that is not in the flash and may be gone next time.
  const bootloaderGaveUp = before?.event === 'brick' && before.slot === 'none' && !before.failure?.startsWith('app crashed') && !/download mode/.test(before.failure ?? '');
  if (last && before && (bootloaderGaveUp || before.notes.some((n) => n.startsWith('boot loop'))) && undecided(last)) {
    last.slot = 'none';
    last.event = 'brick';
    last.failure = before.failure;
    last.evidence.push(last.start, ...before.evidence);
    last.notes.push('the same failure again: nothing ran since to change the flash');
  }
  return drafts.map((d, index) => ({
    index,
    slot: d.slot,
    event: d.event,
    version: d.version,
    startLine: d.start,
    endLine: d.end,
    evidence: [...new Set(d.evidence)].sort((a, b) => a - b),
    // A later boot proves this one is over; the last one is over only when it said so.
    complete: index < drafts.length - 1 || d.appUp || d.failure !== null,
    notes: d.notes,
  }));
}

function undecided(d: Draft): boolean {
  return d.slot === null && d.version === null && !d.appUp && d.failure === null && (d.event === 'unknown' || d.event === 'normal');
}

/** Parser bugs swallowed by safely(): counted so the corpus test can fail on them. */
export const swallowed: { count: number; last: unknown } = { count: 0, last: null };

/** Run a parser body so that no input, however broken, makes parse() throw. */
export function safely(body: () => Boot[]): Boot[] {
  try {
    return body();
  } catch (e) {
    swallowed.count++;
    swallowed.last = e;
    return [];
  }
}

/** Detection score: the strongest signature present, nudged up when several agree. Never throws. */
export function score(texts: readonly string[], signatures: readonly [RegExp, number][]): number {
  try {
    return scoreUnsafe(texts, signatures);
  } catch {
    return 0;
  }
}

function scoreUnsafe(texts: readonly string[], signatures: readonly [RegExp, number][]): number {
  let best = 0;
  let hits = 0;
  for (const [re, w] of signatures) {
    if (texts.some((t) => re.test(t))) {
      best = Math.max(best, w);
      hits++;
    }
  }
  return best === 0 ? 0 : Math.min(1, best + 0.02 * (hits - 1));
}
