// `ota-hil parse-bootlog FILE --stack <name|auto> [--app-version RE] [--app-slot RE]
// [--app-confirmed RE] [--json]`: which slot, event and version a console capture shows, with the
// app's own announcements read too. Exit 0: parsed; 1: --stack auto recognised no stack; 2: usage or I/O error.
import { readFileSync } from 'node:fs';
import type { Boot, BootLogSummary } from '../bootlog/boot.ts';
import { decodeConsole, splitLines } from '../bootlog/lines.ts';
import { detectScores, DETECT_MIN, explain, stackNames, summarize } from '../bootlog/registry.ts';
import { compileAppPatterns, type AppPatterns } from '../bootlog/app-announce.ts';
import { isStackName, type StackName } from '../rig/stack-name.ts';
import { processIo, type CliIo } from './io.ts';

const USAGE = `usage: ota-hil parse-bootlog FILE --stack <${[...stackNames, 'auto'].join('|')}> [--app-version RE] [--app-slot RE] [--app-confirmed RE] [--json]
  FILE may be - for standard input; --stack defaults to auto
  --app-version/--app-slot/--app-confirmed: regexes for the app's own lines (group 1 or a named group
  version/slot is the value), as a rig entry's board.app declares them
  final.why (JSON) says why a field is null or unknown; a --stack that the log does not look like is named
  final.slot: ESP-IDF and Mongoose OS on ESP32 name the partition (ota_0, app_1, factory), MCUboot
  primary, rBoot rom0/rom1, ESP8266 Arduino sketch, Zerynth bc0/bc1, Particle user/safe-mode;
  none: nothing boots; null: the log does not show it
  exit 0: parsed; 1: --stack auto recognised no stack (with --json the JSON still says so); 2: usage or I/O`;

interface Args {
  file: string;
  /** A StackName, or 'auto'. */
  stack: StackName | 'auto';
  json: boolean;
  app: { version?: string; slot?: string; confirmed?: string };
}

const APP_FLAGS = { '--app-version': 'version', '--app-slot': 'slot', '--app-confirmed': 'confirmed' } as const;

function parseArgs(argv: string[]): Args | string {
  let file: string | undefined;
  let stack: string | undefined;
  let json = false;
  const app: Args['app'] = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const [flag, inline] = a.startsWith('--app-') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag in APP_FLAGS) {
      const v = inline ?? argv[++i];
      if (v === undefined) return `${flag} needs a regex`;
      app[APP_FLAGS[flag as keyof typeof APP_FLAGS]] = v;
    } else if (a === '--json') json = true;
    else if (a === '--stack') {
      stack = argv[++i];
      if (stack === undefined) return '--stack needs a value';
    } else if (a.startsWith('--stack=')) stack = a.slice('--stack='.length);
    else if (a.startsWith('-') && a !== '-') return `unknown option ${a}`;
    else if (file !== undefined) return `one FILE only (got ${file} and ${a})`;
    else file = a;
  }
  if (file === undefined) return 'missing FILE';
  stack ??= 'auto';
  if (stack !== 'auto' && !isStackName(stack)) return `unknown stack ${JSON.stringify(stack)}`;
  return { file, stack, json, app };
}

function show(v: string | null): string {
  return v ?? '-';
}

function bootLine(b: Boot): string {
  const cols = [
    `boot ${b.index}`.padEnd(8),
    `lines ${b.startLine + 1}-${b.endLine + 1}`.padEnd(14),
    `slot ${show(b.slot)}`.padEnd(16),
    `event ${b.event}`.padEnd(19),
    `version ${show(b.version)}`,
  ];
  const extra = [...(b.complete ? [] : ['incomplete']), ...b.notes];
  return `  ${cols.join(' ')}${extra.length ? `  (${extra.join('; ')})` : ''}`;
}

function human(file: string, s: BootLogSummary, how: string): string {
  const out = [`${file}: ${s.stack} (${how}), ${s.boots.length} boot${s.boots.length === 1 ? '' : 's'}`];
  for (const b of s.boots) out.push(bootLine(b));
  out.push(`  final: slot ${show(s.final.slot)}, event ${s.final.event}, version ${show(s.final.version)}`);
  return out.join('\n') + '\n';
}

export async function parseBootlogCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(USAGE + '\n');
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr.write(`parse-bootlog: ${args} (see ota-hil parse-bootlog --help)\n`);
    return 2;
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(args.file === '-' ? 0 : args.file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    io.stderr.write(`parse-bootlog: cannot read ${args.file}: ${why}\n`);
    return 2;
  }
  // Serial captures hold binary noise: decode tolerantly (UTF-8, else latin1) and never throw.
  const lines = splitLines(decodeConsole(bytes));
  let stack: StackName;
  let how = 'given';
  if (args.stack === 'auto') {
    const best = detectScores(lines)[0];
    if (!best || best.score < DETECT_MIN) {
      if (args.json) io.stdout.write(JSON.stringify({ stack: null, boots: [], final: { slot: null, event: 'unknown', version: null } }) + '\n');
      else io.stdout.write(`${args.file}: no known stack recognised; pass --stack\n`);
      return 1;
    }
    stack = best.stack;
    how = `detected, score ${best.score.toFixed(2)}`;
  } else stack = args.stack;
  let app: AppPatterns | undefined;
  try {
    app = compileAppPatterns(Object.keys(args.app).length ? args.app : undefined, '--app');
  } catch (e) {
    io.stderr.write(`parse-bootlog: ${(e as Error).message.replace(/^--app\/(\w+)/, '--app-$1')}\n`);
    return 2;
  }
  const summary = summarize(stack, lines, app);
  const why = explain(summary);
  // A given stack the log does not look like: say so, and name the one it looks like.
  let mismatch: { given: StackName; detected: StackName; score: number } | undefined;
  if (args.stack !== 'auto') {
    const scores = detectScores(lines);
    const best = scores[0];
    const mine = scores.find((x) => x.stack === stack)?.score ?? 0;
    if (best && best.stack !== stack && best.score >= 0.6 && mine < DETECT_MIN) mismatch = { given: stack, detected: best.stack, score: best.score };
  }
  const note = mismatch ? `this log does not look like ${mismatch.given}: it looks like ${mismatch.detected} (score ${mismatch.score.toFixed(2)})` : null;
  if (mismatch && note) {
    // Another stack's log read as this one: its boots are shown, but no verdict is given.
    summary.final = { slot: null, event: 'unknown', version: null };
  }
  const finalWhy = note ?? why;
  if (args.json) {
    io.stdout.write(JSON.stringify({ ...summary, final: { ...summary.final, ...(finalWhy ? { why: finalWhy } : {}) }, ...(mismatch ? { stackMismatch: { ...mismatch, note } } : {}) }) + '\n');
  } else {
    io.stdout.write(human(args.file, summary, how) + (finalWhy ? `  why: ${finalWhy}\n` : ''));
  }
  if (note) io.stderr.write(`parse-bootlog: ${note}\n`);
  return Promise.resolve(0);
}
