// README's table of environment variables is the one place they are documented: every OTA_HIL_*
// variable the code reads has a row, and every row names one the code reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SOURCES = ['harness', 'bin', 'scenarios', 'bench', 'test', 'allurerc.mjs', '.ci'];
const VARIABLE = /\bOTA_HIL_[A-Z0-9_]*[A-Z0-9]\b/g;

function files(p: string): string[] {
  if (!existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return /\.(ts|mjs|js|sh|py)$/.test(p) ? [p] : [];
  return readdirSync(p).flatMap((name) => (name === 'node_modules' || name === 'corpus' ? [] : files(path.join(p, name))));
}

test('every OTA_HIL_* variable the code reads has a row in README\'s table, and every row is read', () => {
  const used = new Set<string>();
  for (const f of SOURCES.flatMap((s) => files(s))) {
    if (f === path.join('test', 'lint', 'env-table.test.ts')) continue;
    for (const m of readFileSync(f, 'utf8').matchAll(VARIABLE)) used.add(m[0]);
  }
  const readme = readFileSync('README.md', 'utf8');
  const table = readme.slice(readme.indexOf('## Environment variables'), readme.indexOf('\n## ', readme.indexOf('## Environment variables') + 1));
  const rows = new Set([...table.matchAll(/^\| `(OTA_HIL_[A-Z0-9_]+)`/gm)].map((m) => m[1]!));
  assert.ok(used.size > 10, `${used.size} variables found in the code`);
  assert.deepEqual([...used].filter((v) => !rows.has(v)).sort(), [], 'read by the code, missing from the table');
  assert.deepEqual([...rows].filter((v) => !used.has(v)).sort(), [], 'in the table, read by no code');
});
