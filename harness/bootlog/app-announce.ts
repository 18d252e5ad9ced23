// The application's own announcements. A board's rig entry (or `parse-bootlog --app-version …`)
// may say how its app names its version, its running slot and its "confirmed" state; those lines
// are read inside each boot the stack parser found and combined with the bootloader's evidence:
// the app's version wins over a guessed one, the app's slot fills a slot the bootloader did not
// name, and a confirmed line settles the boot. With no boot found, an announcing app is one boot.
import type { Boot, BootLogParser } from './boot.ts';
import { formatLines } from './format.ts';

export interface AppPatterns {
  /** Group 'version' or group 1 is the version. */
  version?: RegExp;
  /** Group 'slot' or group 1 is the running slot, as the stack names it. */
  slot?: RegExp;
  confirmed?: RegExp;
}

/** Compile rig strings into patterns; a bad regex is an error naming the field. */
export function compileAppPatterns(src: { version?: string; slot?: string; confirmed?: string } | undefined, where: string): AppPatterns | undefined {
  if (!src) return undefined;
  const out: AppPatterns = {};
  for (const k of ['version', 'slot', 'confirmed'] as const) {
    const s = src[k];
    if (s === undefined) continue;
    try {
      out[k] = new RegExp(s);
    } catch (e) {
      throw new Error(`${where}/${k}: not a regular expression: ${(e as Error).message}`);
    }
  }
  return out;
}

function group(m: RegExpExecArray, name: string): string | null {
  const v = m.groups?.[name] ?? m[1] ?? null;
  return v === null || v === undefined ? null : v.trim() || null;
}

export function applyAppPatterns(boots: Boot[], lines: readonly string[], app: AppPatterns | undefined): Boot[] {
  if (!app || (!app.version && !app.slot && !app.confirmed)) return boots;
  const texts = formatLines(lines).map((l) => l.text);
  const out = boots.length > 0 ? boots : [emptyBoot(lines.length)];
  let announced = false;
  for (const b of out) {
    let version: string | null = null;
    let slot: string | null = null;
    for (let i = b.startLine; i <= b.endLine && i < texts.length; i++) {
      // Match the raw line too: a pattern may include the app's own prefix.
      const candidates = [texts[i] ?? '', lines[i] ?? ''];
      const vm = app.version && version === null ? candidates.map((t) => app.version!.exec(t)).find(Boolean) : null;
      if (vm && (version = group(vm, 'version')) !== null) b.evidence.push(i);
      const sm = app.slot && slot === null ? candidates.map((t) => app.slot!.exec(t)).find(Boolean) : null;
      if (sm && (slot = group(sm, 'slot')) !== null) b.evidence.push(i);
      if (app.confirmed && candidates.some((t) => app.confirmed!.test(t))) {
        b.evidence.push(i);
        b.complete = true;
        if (!b.notes.includes('app confirmed its image')) b.notes.push('app confirmed its image');
      }
    }
    if (version !== null) {
      b.version = version;
      b.complete = true;
      announced = true;
    }
    if (slot !== null) {
      if (b.slot === null) b.slot = slot;
      else if (b.slot !== slot && b.slot !== 'none') b.notes.push(`the app says it runs ${slot}, the bootloader's lines say ${b.slot}`);
      announced = true;
    }
    b.evidence = [...new Set(b.evidence)].sort((x, y) => x - y);
  }
  return boots.length > 0 || announced ? out : boots;
}

function emptyBoot(n: number): Boot {
  return { index: 0, slot: null, event: 'unknown', version: null, startLine: 0, endLine: Math.max(0, n - 1), evidence: [], complete: false, notes: ['only the app\'s own announcements'] };
}

/** A parser that also reads the app's announcements (what the board fixture uses). */
export function withApp(parser: BootLogParser, app: AppPatterns | undefined): BootLogParser {
  if (!app) return parser;
  return { stack: parser.stack, wholeLog: parser.wholeLog, detect: (l) => parser.detect(l), parse: (l) => applyAppPatterns(parser.parse(l), l, app) };
}
