// The real-log corpus (test/bootlog/corpus/<stack>/<id>.log + .json): loading, and scoring each
// log's labelled fields against what the parser answers. Used by `npm run corpus` and corpus.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeConsole, splitLines } from '../../harness/bootlog/lines.ts';
import { detectStack, summarize } from '../../harness/bootlog/registry.ts';
import { swallowed } from '../../harness/bootlog/segment.ts';
import { compileAppPatterns } from '../../harness/bootlog/app-announce.ts';
import { isStackName, type StackName } from '../../harness/rig/schema.ts';

export const corpusDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'corpus');
export const missesFile = path.join(corpusDir, 'misses.json');

export interface Label {
  slot: string | null;
  event: string;
  version: string | null;
}

export interface Sidecar {
  source: string;
  stack: StackName;
  format: string[];
  final: Label;
  boots?: Label[];
  why: string;
  /** The app's announcement patterns, as a rig entry would declare them (board.app). */
  app?: { version?: string; slot?: string; confirmed?: string };
}

export interface Entry {
  /** '<stack>/<id>' */
  id: string;
  file: string;
  side: Sidecar;
}

export interface Miss {
  id: string;
  field: string;
  want: unknown;
  got: unknown;
}

export interface Scored {
  entry: Entry;
  fields: number;
  right: number;
  misses: Miss[];
  detected: StackName | null;
  /** A parser exception (thrown or swallowed): always a failure. */
  crash: string | null;
}

/** Every .log with its sidecar; a sidecar that breaks the contract is an error naming file and field. */
export function loadCorpus(dir = corpusDir): Entry[] {
  if (!existsSync(dir)) return [];
  const out: Entry[] = [];
  for (const stack of readdirSync(dir).sort()) {
    const sdir = path.join(dir, stack);
    if (!existsSync(sdir) || !isStackName(stack)) continue;
    for (const f of readdirSync(sdir).filter((n) => n.endsWith('.log')).sort()) {
      const file = path.join(sdir, f);
      const json = file.replace(/\.log$/, '.json');
      if (!existsSync(json)) throw new Error(`${json}: missing sidecar for ${f}`);
      out.push({ id: `${stack}/${f.slice(0, -4)}`, file, side: checkSidecar(json, stack) });
    }
  }
  return out;
}

function checkSidecar(file: string, dirStack: StackName): Sidecar {
  const d = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const bad = (ptr: string, what: string): never => {
    throw new Error(`${file}: ${ptr}: ${what}`);
  };
  if (typeof d.source !== 'string' || !d.source) bad('/source', 'a source URL is required');
  if (d.stack !== dirStack) bad('/stack', `must be ${JSON.stringify(dirStack)} (the folder it is in)`);
  if (!Array.isArray(d.format) || !d.format.every((t) => typeof t === 'string')) bad('/format', 'an array of format tags');
  const label = (v: unknown, ptr: string): Label => {
    const l = v as Label | undefined;
    if (!l || typeof l !== 'object') return bad(ptr, 'missing');
    if (!(l.slot === null || typeof l.slot === 'string')) bad(`${ptr}/slot`, 'string or null');
    if (typeof l.event !== 'string') bad(`${ptr}/event`, 'string');
    if (!(l.version === null || typeof l.version === 'string')) bad(`${ptr}/version`, 'string or null');
    return l;
  };
  label(d.final, '/final');
  if (d.boots !== undefined) {
    if (!Array.isArray(d.boots)) bad('/boots', 'an array');
    (d.boots as unknown[]).forEach((b, i) => label(b, `/boots/${i}`));
  }
  return d as unknown as Sidecar;
}

/** 'v1.0.3' and '1.0.3' name the same version; anything else must be equal. */
function sameField(field: string, want: unknown, got: unknown): boolean {
  if (field.endsWith('version') && typeof want === 'string' && typeof got === 'string') {
    const n = (v: string): string => v.trim().replace(/^v(?=\d)/, '');
    return n(want) === n(got);
  }
  return want === got;
}

export function readLines(file: string): string[] {
  return splitLines(decodeConsole(readFileSync(file)));
}

export function score(entry: Entry): Scored {
  const s: Scored = { entry, fields: 0, right: 0, misses: [], detected: null, crash: null };
  const before = swallowed.count;
  const check = (field: string, want: unknown, got: unknown): void => {
    s.fields++;
    if (sameField(field, want, got)) s.right++;
    else s.misses.push({ id: entry.id, field, want, got });
  };
  let lines: string[] = [];
  try {
    lines = readLines(entry.file);
    s.detected = detectStack(lines);
    const sum = summarize(entry.side.stack, lines, compileAppPatterns(entry.side.app, `${entry.file.replace(/\.log$/, '.json')}: /app`));
    const f = entry.side.final;
    check('final.slot', f.slot, sum.final.slot);
    check('final.event', f.event, sum.final.event);
    check('final.version', f.version, sum.final.version);
    entry.side.boots?.forEach((b, i) => {
      const got = sum.boots[i];
      check(`boots[${i}].slot`, b.slot, got ? got.slot : '(no such boot)');
      check(`boots[${i}].event`, b.event, got ? got.event : '(no such boot)');
      check(`boots[${i}].version`, b.version, got ? got.version : '(no such boot)');
    });
  } catch (e) {
    s.crash = String((e as Error).stack ?? e);
  }
  if (swallowed.count !== before) s.crash ??= `parser exception swallowed: ${String((swallowed.last as Error)?.stack ?? swallowed.last)}`;
  return s;
}

export interface ListedMiss {
  id: string;
  field: string;
  reason: string;
}

export function loadListedMisses(file = missesFile): ListedMiss[] {
  if (!existsSync(file)) return [];
  const list = JSON.parse(readFileSync(file, 'utf8')) as ListedMiss[];
  list.forEach((m, i) => {
    if (typeof m.id !== 'string' || typeof m.field !== 'string' || typeof m.reason !== 'string' || !m.reason.trim())
      throw new Error(`${file}: /${i}: needs id, field and a reason`);
  });
  return list;
}

export interface Tally {
  logs: number;
  fields: number;
  right: number;
}

export function tally(scored: readonly Scored[], key: (s: Scored) => readonly string[]): Map<string, Tally> {
  const m = new Map<string, Tally>();
  for (const s of scored) {
    for (const k of key(s)) {
      const t = m.get(k) ?? { logs: 0, fields: 0, right: 0 };
      t.logs++;
      t.fields += s.fields;
      t.right += s.right;
      m.set(k, t);
    }
  }
  return new Map([...m].sort(([a], [b]) => a.localeCompare(b)));
}

export function pct(t: Tally): number {
  return t.fields === 0 ? 100 : (100 * t.right) / t.fields;
}
