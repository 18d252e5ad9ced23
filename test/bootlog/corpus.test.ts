// The real-log corpus: no parser crashes on any log, every miss is listed with a reason in
// corpus/misses.json (and every listed miss still happens), and a stack with at least 15 logs
// gets at least 98% of its labelled fields right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus, loadListedMisses, pct, readLines, score, tally } from './corpus-score.ts';
import { summarize } from '../../harness/bootlog/registry.ts';

const MIN_LOGS = 15;
const MIN_PCT = 98;

const scored = loadCorpus().map(score);
const listed = loadListedMisses();

void test('the corpus loads: every log has a sidecar that keeps the contract', () => {
  assert.ok(scored.length > 0, 'no logs in test/bootlog/corpus');
});

void test('no parser crashes on any corpus log', () => {
  const crashes = scored.filter((s) => s.crash).map((s) => `${s.entry.id}: ${s.crash}`);
  assert.deepEqual(crashes, []);
});

void test('every miss is listed with a reason in misses.json, and every listed miss still happens', () => {
  const misses = scored.flatMap((s) => s.misses);
  const key = (m: { id: string; field: string }): string => `${m.id} ${m.field}`;
  const unlisted = misses.filter((m) => !listed.some((l) => key(l) === key(m))).map((m) => `${key(m)}: label ${JSON.stringify(m.want)}, parser ${JSON.stringify(m.got)}`);
  assert.deepEqual(unlisted, [], 'misses without a reason (fix the parser, or list them in test/bootlog/corpus/misses.json)');
  const stale = listed.filter((l) => !misses.some((m) => key(m) === key(l))).map(key);
  assert.deepEqual(stale, [], 'listed misses that no longer happen: remove them from misses.json');
});

void test('every boot quotes the lines that decided it, and they exist', () => {
  for (const s of scored) {
    const lines = readLines(s.entry.file);
    for (const b of summarize(s.entry.side.stack, lines).boots) {
      const what = `${s.entry.id} boot ${b.index}`;
      assert.ok(b.startLine <= b.endLine && b.endLine < lines.length, `${what}: range`);
      for (const e of b.evidence) assert.ok(e >= 0 && e < lines.length, `${what}: evidence ${e}`);
      if (b.slot !== null || b.event !== 'unknown') assert.ok(b.evidence.length > 0, `${what}: no evidence`);
    }
  }
});

void test(`every stack with at least ${MIN_LOGS} logs gets at least ${MIN_PCT}% of its labelled fields right`, () => {
  for (const [stack, t] of tally(scored, (s) => [s.entry.side.stack])) {
    if (t.logs < MIN_LOGS) continue;
    assert.ok(pct(t) >= MIN_PCT, `${stack}: ${t.right}/${t.fields} fields right (${pct(t).toFixed(1)}%) on ${t.logs} logs`);
  }
});
