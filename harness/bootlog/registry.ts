// Stack name → boot-log parser, auto-detection, and the summary the harness asserts on.
import { STACK_NAMES, type StackName } from '../rig/stack-name.ts';
import type { BootLogParser, BootLogSummary } from './boot.ts';
import { espIdfParser } from './esp-idf.ts';
import { esp8266ArduinoParser } from './esp8266-arduino.ts';
import { mcubootParser } from './mcuboot.ts';
import { mongooseOsParser } from './mongoose-os.ts';
import { particleParser } from './particle.ts';
import { rbootParser } from './rboot.ts';
import { zerynthParser } from './zerynth.ts';
import { applyAppPatterns, type AppPatterns } from './app-announce.ts';

// Order breaks ties in detection: a stack that runs on another's bootloader comes first.
export const parsers: Readonly<Record<StackName, BootLogParser>> = {
  mcuboot: mcubootParser,
  'mongoose-os': mongooseOsParser,
  'esp-idf': espIdfParser,
  rboot: rbootParser,
  'esp8266-arduino': esp8266ArduinoParser,
  zerynth: zerynthParser,
  particle: particleParser,
};

export const stackNames: readonly StackName[] = STACK_NAMES;

/** The parser for a stack; an unknown name is a caller's bug, so it throws. */
export function parserFor(stack: StackName): BootLogParser {
  const p = parsers[stack];
  if (!p) throw new Error(`no boot-log parser for stack ${JSON.stringify(stack)} (known: ${stackNames.join(', ')})`);
  return p;
}

/** Below this, no parser recognises the log: better no stack than a wrong one. */
export const DETECT_MIN = 0.2;

/** Every stack's detection score, best first. */
export function detectScores(lines: readonly string[]): { stack: StackName; score: number }[] {
  return stackNames
    .map((stack) => {
      let s = 0;
      try {
        s = parserFor(stack).detect(lines);
      } catch {
        s = 0;
      }
      return { stack, score: Number.isFinite(s) ? s : 0 };
    })
    .sort((a, b) => b.score - a.score); // stable: on a tie the earlier stack in the table wins
}

/** The stack these lines most likely come from, or null when none is recognisable. */
export function detectStack(lines: readonly string[]): StackName | null {
  const best = detectScores(lines)[0];
  return best && best.score >= DETECT_MIN ? best.stack : null;
}

/** Boots and the final verdict: the last boot's slot, event and version. */
export function summarize(stack: StackName, lines: readonly string[], app?: AppPatterns): BootLogSummary {
  const boots = applyAppPatterns(parserFor(stack).parse(lines), lines, app);
  const last = boots[boots.length - 1];
  return {
    stack,
    boots,
    final: last ? { slot: last.slot, event: last.event, version: last.version } : { slot: null, event: 'unknown', version: null },
  };
}

/** Why the final verdict leaves a field null or unknown, from the last boot's notes; null when all is known. */
export function explain(s: BootLogSummary): string | null {
  const last = s.boots[s.boots.length - 1];
  const f = s.final;
  if (!last) return `no boot found: no ${s.stack} bootloader line and no app line this parser knows`;
  const gaps: string[] = [];
  if (f.slot === null) gaps.push('slot: the log does not name what runs');
  if (f.event === 'unknown') gaps.push(last.complete ? 'event: the log does not show what the bootloader decided' : 'event: the boot is cut off before it shows what happened');
  if (f.version === null && f.slot !== 'none') gaps.push('version: no version line');
  if (gaps.length === 0) return null;
  return `${gaps.join('; ')}${last.notes.length ? ` (${last.notes.join('; ')})` : ''}`;
}
