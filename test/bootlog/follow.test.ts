// The follower (a growing log parsed again from a few boots back) answers exactly what a full
// parse answers: on every prefix of every real log in the corpus, cut at a line end or mid-line,
// and on logs of several captures one after the other (more boots than one capture shows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadCorpus } from './corpus-score.ts';
import { decodeConsole, splitLines } from '../../harness/bootlog/lines.ts';
import { parserFor } from '../../harness/bootlog/registry.ts';
import { compileAppPatterns, withApp } from '../../harness/bootlog/app-announce.ts';
import { BootFollower } from '../../harness/bootlog/follow.ts';
import type { Boot, BootLogParser } from '../../harness/bootlog/boot.ts';

const corpus = loadCorpus().map((e) => ({
  ...e,
  text: decodeConsole(readFileSync(e.file)),
  parser: withApp(parserFor(e.side.stack), compileAppPatterns(e.side.app, e.file)),
}));

/**
 * Feed `texts` (each a longer capture) to one follower. Each answer is a full parse of the same
 * lines, or a window's, which must equal a full parse.
 */
function follow(parser: BootLogParser, texts: Iterable<string>, what: string): BootFollower {
  const f = new BootFollower(parser);
  for (const text of texts) {
    const lines = splitLines(text);
    const { full, windowed } = f.stats;
    const got = f.parse(lines);
    if (f.stats.full === full && f.stats.windowed === windowed) continue; // the same lines again: the same answer
    if (f.stats.windowed > windowed) assert.deepEqual(got, parser.parse(lines), `${what}: after ${text.length} chars (${lines.length} lines)`);
    else assert.equal(f.stats.full, full + 1, `${what}: neither a window nor a full parse`);
  }
  return f;
}

/** The capture cut after every line and in the middle of every line. */
function* prefixes(text: string, midLine: boolean): Generator<string> {
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text[i] !== '\n') continue;
    if (midLine && i - start > 1) yield text.slice(0, start + Math.floor((i - start) / 2));
    yield text.slice(0, i + 1);
    start = i + 1;
  }
}

void test('on every prefix of every corpus log, the follower answers what a full parse answers', () => {
  assert.ok(corpus.length > 0, 'no corpus logs');
  for (const e of corpus) follow(e.parser, prefixes(e.text, true), e.id);
});

void test('on two captures one after the other (more boots), the follower parses windows that answer what a full parse answers', () => {
  const stats = { windowed: 0, full: 0 };
  // Captures of three boots or more, each followed by the next one of its stack.
  const multi = corpus.filter((e) => e.parser.parse(splitLines(e.text)).length >= 3);
  multi.forEach((a, k) => {
    const b = multi.slice(k + 1).find((o) => o.side.stack === a.side.stack) ?? multi.find((o) => o.side.stack === a.side.stack && o !== a);
    if (!b) return;
    const nl = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);
    const f = follow(parserFor(a.side.stack), prefixes(nl(a.text) + nl(b.text), false), `${a.id} + ${b.id}`);
    stats.windowed += f.stats.windowed;
    stats.full += f.stats.full;
  });
  assert.ok(stats.windowed > stats.full / 4, `windows ${stats.windowed}, full parses ${stats.full}`);
});

// A parser that breaks the follower's assumption: a boot without a version line runs the version
// the log's first boot printed. The checked boot comes out without it, so the whole log is parsed.
const counting: BootLogParser = {
  stack: 'zerynth',
  detect: () => 0,
  parse(lines) {
    const starts = lines.flatMap((l, i) => (l === 'boot' ? [i] : []));
    const first = lines.find((l) => l.startsWith('version '))?.slice(8) ?? null;
    return starts.map((s, k): Boot => {
      const end = (starts[k + 1] ?? lines.length) - 1;
      const own = lines.slice(s, end + 1).find((l) => l.startsWith('version '))?.slice(8);
      return { index: k, slot: 'a', event: 'normal', version: own ?? first, startLine: s, endLine: end, evidence: [s], complete: k < starts.length - 1, notes: [] };
    });
  },
};
const bootLog = (boots: number): string =>
  Array.from({ length: boots }, (_, k) => ['boot', ...(k === 0 ? ['version 1.0'] : []), ...Array.from({ length: 20 }, (_, j) => `line ${k}.${j}`)].join('\n')).join('\n') + '\n';

void test('a parser that reads boots in the light of far lines is caught by the check and parsed whole', () => {
  const f = follow(counting, prefixes(bootLog(8), false), 'counting parser');
  assert.equal(f.stats.windowed, 0, 'a window was taken');
});

void test('a parser that says wholeLog is always parsed whole; a log that is not a continuation starts over', () => {
  const whole = follow({ ...counting, wholeLog: true }, prefixes(bootLog(8), false), 'wholeLog parser');
  assert.equal(whole.stats.windowed, 0);
  const plain: BootLogParser = { ...counting, parse: (lines) => counting.parse(lines).map((b) => ({ ...b, version: null })) };
  follow(plain, [bootLog(8), bootLog(3), bootLog(9), bootLog(9).replace('line 4.3', 'changed'), bootLog(9).replace('line 7.3', 'changed')], 'logs that are not continuations');
});
