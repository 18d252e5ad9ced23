// The stock scenarios carry @tags, so a user's config picks them (`stock: { grep: /@withheld-commit/ }`)
// and so does the command line (`--grep @sweep`). Listed by Playwright itself, from a config in a
// folder of its own, as a firmware repository's would be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO = path.resolve('.');
const CLI = path.join(REPO, 'node_modules/@playwright/test/cli.js');

interface Listed {
  file: string;
  title: string;
  tags: string[];
}

/** Playwright's listing (JSON) from a config in a folder of its own: the mcuboot board (and the
 * fleet) under each named set of otaHilConfig options, one project set per name, so one listing
 * serves every set. Listed by name. */
async function list(options: Record<string, string>, ...args: string[]): Promise<Record<string, Listed[]>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-tags-'));
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  const configs = Object.entries(options).map(([name, o]) => `[${JSON.stringify(name)}, otaHilConfig({ rigs: [${JSON.stringify(path.join(REPO, 'rigs/sim.json'))}], ${o} })]`);
  writeFileSync(
    path.join(dir, 'playwright.config.ts'),
    `import { otaHilConfig } from ${JSON.stringify(path.join(REPO, 'harness/config.ts'))};\n` +
      `const configs = [${configs.join(', ')}] as const;\n` +
      `const keep = new Set(['sim/mcuboot-1', 'sim/fleet']);\n` +
      `export default { ...configs[0][1], projects: configs.flatMap(([name, c]) => (c.projects ?? []).filter((p) => keep.has(p.name!)).map((p) => ({ ...p, name: \`\${name}:\${p.name}\` }))) };\n`,
  );
  const r = spawn(process.execPath, [CLI, 'test', '--list', '--reporter=json', ...args], {
    cwd: dir,
    env: { ...process.env, OTA_HIL_REPORTS: path.join(dir, 'reports'), OTA_HIL_BOARDS: '' },
    timeout: 120_000,
  });
  let stdout = '';
  let stderr = '';
  r.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  r.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((resolve) => r.on('close', resolve));
  assert.equal(status, 0, stderr);
  type Suite = { file: string; specs?: { title: string; tags: string[]; tests: { projectName: string }[] }[]; suites?: Suite[] };
  const out: Record<string, Listed[]> = Object.fromEntries(Object.keys(options).map((n) => [n, []]));
  const walk = (s: Suite) => {
    for (const spec of s.specs ?? []) {
      for (const t of spec.tests) out[t.projectName.split(':')[0]!]!.push({ file: path.basename(s.file), title: spec.title, tags: spec.tags.map((tag) => `@${tag.replace(/^@/, '')}`) });
    }
    for (const c of s.suites ?? []) walk(c);
  };
  for (const s of (JSON.parse(stdout) as { suites: Suite[] }).suites) walk(s);
  return out;
}

const files = (l: Listed[]) => [...new Set(l.map((t) => t.file))].sort();

test('every stock scenario has a tag; selecting by tag from the config or the command line picks exactly the tagged ones', async () => {
  // Two listings side by side: the configs' selections, and the command line's.
  const [sets, cli] = await Promise.all([
    list({ all: 'stock: true', withheld: 'stock: { grep: /@withheld-commit/ }', rest: 'stock: { grepInvert: /@sweep|@fleet/ }' }),
    list({ all: 'stock: true' }, '--grep', '@sweep'),
  ]);
  const all = sets.all!;
  assert.ok(all.length >= 30, `${all.length} stock scenarios listed`);
  const untagged = all.filter((t) => t.tags.length === 0);
  assert.deepEqual(untagged.map((t) => `${t.file}: ${t.title}`), [], 'untagged stock scenarios');
  const tagged = (tag: string) => all.filter((t) => t.tags.includes(tag));

  // The tag means what its name says.
  assert.deepEqual(files(tagged('@sweep')), ['sweep-network.spec.ts', 'sweep-resets.spec.ts', 'sweep.spec.ts']);
  assert.deepEqual(files(tagged('@clean-update')), ['clean-update.spec.ts']);
  assert.deepEqual(tagged('@crash').map((t) => t.title), ['a candidate that crashes at boot is reverted without help, or its boot loop is shown']);
  assert.deepEqual(files(tagged('@fleet')), ['fleet-rollout.spec.ts']);

  // The config's grep selects exactly those (a withheld commit: one-board scenarios and a fleet's).
  const withheld = sets.withheld!;
  assert.deepEqual(withheld.map((t) => t.title).sort(), tagged('@withheld-commit').map((t) => t.title).sort());
  assert.deepEqual(files(withheld), ['fleet-rollout.spec.ts', 'withheld-commit.spec.ts', 'zerynth-device-manager.spec.ts']);
  assert.ok(!withheld.some((t) => t.tags.includes('@crash')), 'the crash scenario in the same file is left out');

  // grepInvert leaves them out; the command line's --grep selects the same way.
  const rest = sets.rest!;
  assert.equal(rest.length, all.length - tagged('@sweep').length - tagged('@fleet').length);
  assert.deepEqual(cli.all!.map((t) => t.title).sort(), tagged('@sweep').map((t) => t.title).sort());
});
