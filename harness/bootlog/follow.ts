// Boots of a console log that grows, without parsing the whole log again at every line: the waits
// for a boot ask at each line received, and a full parse each time made a worker's parsing
// quadratic in the log's length (up to a third of a simulated board's worker CPU).
//
// Stack parsers stay a plain parse(lines). What is parsed again is a window: the log from a few
// boots before the last one. The boots before the window are kept from the previous answer; the
// window's come from parsing it, moved to whole-log line numbers. That gives what a full parse
// gives when a boot's result depends on its own lines, on the few boots before it (the previous
// boot for an event, a run of failures for a boot loop) and on a few lines of look-ahead, which
// is how every parser here reads a log. It is checked each time: the window's first boot is
// context (it has no previous boot in the window), the next one must come out exactly as the
// previous answer had it, or the whole log is parsed. Both count towards a boot loop (three boots
// failing alike): a loop that reaches back past them marks the checked boot in one answer and not
// in the other. A parser that reads a boot in the light of lines far from it says `wholeLog` and
// is always parsed whole.
import { isDeepStrictEqual } from 'node:util';
import type { Boot, BootLogParser } from './boot.ts';

/** Boots parsed at the window's start and not trusted: they lack the boots before them. */
const CONTEXT = 1;
/** Boots after the context that must come out as in the previous answer. */
const CHECKED = 1;
/** Lines between the first checked boot and the first changed line: a parser's look-ahead. */
const MARGIN = 16;

export interface FollowStats {
  /** Parses of the whole log. */
  full: number;
  /** Parses of a window at the end of it whose answer was taken. */
  windowed: number;
  /** Lines given to the parser in all. */
  lines: number;
}

export class BootFollower {
  private lines: string[] = [];
  private boots: Boot[] = [];
  readonly stats: FollowStats = { full: 0, windowed: 0, lines: 0 };

  constructor(readonly parser: BootLogParser) {}

  /**
   * The boots of `lines`: what `parser.parse(lines)` returns. Cheap when `lines` extends the
   * lines of the previous call (a capture cut mid-line may have a longer last line now). The
   * returned boots are shared with later answers: callers must not change them.
   */
  parse(lines: readonly string[]): Boot[] {
    const old = this.lines;
    let d = 0;
    const common = Math.min(old.length, lines.length);
    while (d < common && old[d] === lines[d]) d++;
    if (d === old.length && d === lines.length) return this.boots;
    old.length = d;
    for (let i = d; i < lines.length; i++) old.push(lines[i]!);
    this.boots = this.windowed(d) ?? this.full();
    if (check) this.verify();
    return this.boots;
  }

  private full(): Boot[] {
    this.stats.full++;
    this.stats.lines += this.lines.length;
    return this.parser.parse(this.lines);
  }

  /** The boots with the window parsed again, or null when the window cannot be trusted. */
  private windowed(changed: number): Boot[] | null {
    const old = this.boots;
    if (this.parser.wholeLog) return null;
    // The first checked boot: the latest that leaves CHECKED whole boots before the last one and
    // MARGIN lines before the first changed line.
    let cf = old.length - 1 - CHECKED;
    while (cf >= CONTEXT && changed - old[cf]!.startLine < MARGIN) cf--;
    if (cf < CONTEXT || old[cf + CHECKED - 1]!.endLine >= changed) return null;
    const from = old[cf - CONTEXT]!.startLine;
    if (from === 0) return null; // the whole log anyway
    const lines = this.lines.slice(from);
    this.stats.lines += lines.length;
    const win = this.parser.parse(lines);
    const w = win.findIndex((b) => b.startLine + from === old[cf]!.startLine);
    if (w < 0) return null;
    const shift = cf - w;
    for (let k = 0; k < CHECKED; k++) {
      const b = win[w + k];
      if (!b || !sameBoot(b, old[cf + k]!, from, shift)) return null;
    }
    this.stats.windowed++;
    return [...old.slice(0, cf + CHECKED), ...win.slice(w + CHECKED).map((b) => moved(b, from, shift))];
  }

  /** OTA_HIL_PARSE_CHECK=1: every answer compared with a full parse (for a parser's author). */
  private verify(): void {
    const whole = this.parser.parse(this.lines);
    const at = whole.findIndex((b, k) => !this.boots[k] || !sameBoot(b, this.boots[k], 0, 0));
    if (at >= 0 || whole.length !== this.boots.length) {
      const k = at >= 0 ? at : Math.min(whole.length, this.boots.length);
      throw new Error(
        `${this.parser.stack} parser: parsing the last boots again differs from a full parse at boot ${k} after ${this.lines.length} lines ` +
          `(full: ${JSON.stringify(whole[k] ?? null)}, windowed: ${JSON.stringify(this.boots[k] ?? null)}); ` +
          `the parser reads boots in the light of lines far from them: give it wholeLog: true`,
      );
    }
  }
}

const check = process.env['OTA_HIL_PARSE_CHECK'] === '1';

/** A window's boot in whole-log numbers: lines moved by `from`, index by `shift`. */
function moved(b: Boot, from: number, shift: number): Boot {
  if (from === 0 && shift === 0) return b;
  return { ...b, index: b.index + shift, startLine: b.startLine + from, endLine: b.endLine + from, evidence: b.evidence.map((e) => e + from) };
}

/** Window boot `a` (lines from `from`, index from `shift`) says exactly what boot `b` says. */
function sameBoot(a: Boot, b: Boot, from: number, shift: number): boolean {
  return isDeepStrictEqual(moved(a, from, shift), b);
}
