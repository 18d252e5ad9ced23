// Every labelled real log in ../shared/reference/bootlogs: the final slot, event and version equal
// the label, and --stack auto picks the labelled stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeConsole, splitLines } from '../../harness/bootlog/lines.ts';
import { detectScores, detectStack, summarize } from '../../harness/bootlog/registry.ts';
import { bootlogDir } from './helpers.ts';
import type { StackName } from '../../harness/rig/schema.ts';

interface Label {
  stack: StackName;
  expected: { slot: string | null; event: string; version: string | null };
  notes?: string;
}

const logs = existsSync(bootlogDir) ? readdirSync(bootlogDir).filter((f) => f.endsWith('.log')).sort() : [];

if (logs.length === 0) {
  void test('labelled real boot logs', (t) => {
    t.skip(`no labelled logs in ${bootlogDir}: the shared reference folder is not present`);
  });
}

for (const file of logs) {
  const labelFile = path.join(bootlogDir, file.replace(/\.log$/, '.json'));
  void test(`${file}: final slot, event and version equal the label; auto-detect picks the stack`, (t) => {
    if (!existsSync(labelFile)) {
      t.skip(`${file} has no label`);
      return;
    }
    const label = JSON.parse(readFileSync(labelFile, 'utf8')) as Label;
    const lines = splitLines(decodeConsole(readFileSync(path.join(bootlogDir, file))));
    const summary = summarize(label.stack, lines);
    const why = `${file}: ${label.notes ?? ''}\nboots: ${JSON.stringify(summary.boots, null, 1)}`;
    assert.deepEqual(summary.final, label.expected, why);
    const scores = detectScores(lines);
    assert.equal(detectStack(lines), label.stack, `${file}: scores ${JSON.stringify(scores)}`);
    // The same verdict through auto-detection, as `parse-bootlog --stack auto` gives it.
    assert.deepEqual(summarize(detectStack(lines) ?? assert.fail(`${file}: no stack detected`), lines).final, label.expected);
    // Every boot quotes the lines that decided it, and they exist.
    for (const b of summary.boots) {
      assert.ok(b.startLine <= b.endLine && b.endLine < lines.length, `${file} boot ${b.index} range`);
      for (const e of b.evidence) assert.ok(e >= 0 && e < lines.length, `${file} boot ${b.index} evidence ${e}`);
      if (b.slot !== null || b.event !== 'unknown') assert.ok(b.evidence.length > 0, `${file} boot ${b.index} has no evidence`);
    }
  });
}
