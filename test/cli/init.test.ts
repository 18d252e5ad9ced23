// `ota-hil init` in a fresh or an existing firmware repository: what it writes is a rig the real
// loader accepts and a config and scenario that import what the package exports; it merges into
// package.json and .gitignore without losing anything, and refuses (writing nothing) to overwrite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInit, SCRIPTS } from '../../harness/cli/init.ts';
import { loadRig } from '../../harness/rig/load.ts';
import { rigAdvice } from '../../harness/rig/advice.ts';
import { loadPolicy } from '../../harness/report/gate-policy.ts';
import { otaHil } from '../helpers/ota-hil.ts';

const OWN = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown>; peerDependencies: Record<string, string> };
const fresh = () => mkdtempSync(path.join(tmpdir(), 'ota-hil-init-'));
const init = (dir: string, opts: { sim?: boolean; force?: boolean } = {}) => {
  const said: string[] = [];
  const r = runInit(dir, { sim: !!opts.sim, force: !!opts.force }, (s) => said.push(s), (s) => said.push(s));
  return { ...r, said: said.join('') };
};
const read = (dir: string, f: string) => readFileSync(path.join(dir, f), 'utf8');

/** Every file under dir with its content: what "nothing written" is checked against. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = readFileSync(path.join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

/** The names a generated file imports from a module specifier. */
function importsFrom(text: string, spec: string): string[] {
  const m = new RegExp(`import \\{([^}]*)\\} from '${spec}'`).exec(text);
  assert.ok(m, `no import from '${spec}' in:\n${text}`);
  return m[1]!.split(',').map((s) => s.trim().replace(/^type /, '')).filter(Boolean);
}

test('init --sim in an empty folder: a rig the real loader accepts (one simulated board), a config, a starter scenario, scripts, reports ignored', () => {
  const dir = fresh();
  const r = init(dir, { sim: true });
  assert.equal(r.code, 0, r.said);
  assert.deepEqual(Object.keys(snapshot(dir)).sort(), ['.gitignore', 'gate.policy.json', 'package.json', 'playwright.config.ts', 'rigs/lab.json', 'tests/ota/first-update.spec.ts']);
  const rig = loadRig(path.join(dir, 'rigs/lab.json'));
  assert.equal(rig.boards.length, 1);
  assert.ok(rig.boards[0]!.sim, 'the board is simulated');
  assert.equal(rig.boards[0]!.console.port && 'sim' in rig.boards[0]!.console.port, true);
  for (const image of ['baseline', 'candidate', 'crashing']) assert.ok(rig.images[image]?.sim, `image ${image} is built by the simulator`);
  assert.deepEqual(rigAdvice(rig), []);
  // The gate holds the run to the rig's own board (the project otaHilConfig names rig/board).
  assert.deepEqual(loadPolicy(path.join(dir, 'gate.policy.json')).boards, [`${rig.name}/${rig.boards[0]!.name}`]);
  assert.equal(JSON.parse(read(dir, 'rigs/lab.json')).$schema, '../node_modules/ota-hil/rig.schema.json');
  const pkg = JSON.parse(read(dir, 'package.json'));
  assert.deepEqual(pkg.scripts, SCRIPTS);
  assert.match(pkg.devDependencies['ota-hil'], /^\^\d+\.\d+\.\d+/);
  assert.equal(pkg.devDependencies['@playwright/test'], OWN.peerDependencies['@playwright/test'], 'the Playwright ota-hil runs with');
  assert.match(read(dir, '.gitignore'), /^reports\/$/m);
  assert.match(read(dir, 'playwright.config.ts'), /testDir: 'tests\/ota'/);
  assert.match(r.said, /Next[^\n]*:\n( {2}\S.*\n){3}$/);
});

/** The source module behind a package export (its compiled .d.ts in dist/ comes from it). */
function exportSource(spec: string): string {
  const entry = OWN.exports[spec.replace(/^ota-hil/, '.')] as { types: string };
  return path.resolve(entry.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts'));
}

test('the generated config and scenario import only what the package exports', async () => {
  const dir = fresh();
  init(dir, { sim: true });
  for (const [file, spec] of [['tests/ota/first-update.spec.ts', 'ota-hil'], ['playwright.config.ts', 'ota-hil/config']] as const) {
    const api = (await import(exportSource(spec))) as object;
    const names = importsFrom(read(dir, file), spec);
    assert.ok(names.length > 0);
    for (const name of names) assert.ok(name in api, `${spec} exports ${name} (${file} imports it)`);
  }
});

test('init without --sim: a hardware template (serial by-id, a power driver, a transport) that validates and says what to fill in', () => {
  const dir = fresh();
  assert.equal(init(dir).code, 0);
  const rig = loadRig(path.join(dir, 'rigs/lab.json'));
  const b = rig.boards[0]!;
  assert.equal(b.sim, undefined);
  assert.ok('byId' in b.console.port, 'console by its stable by-id name');
  assert.notEqual(b.power.kind, 'sim');
  assert.notEqual(b.install.kind, 'sim-flash');
  assert.match(rig.description ?? '', /replace/i);
  assert.deepEqual(loadPolicy(path.join(dir, 'gate.policy.json')).boards, [`${rig.name}/${b.name}`]);
  // The images are the user's build output, not there yet: the validator says so.
  assert.deepEqual(rigAdvice(rig).map((a) => a.split(':')[0]), ['/images/baseline/file', '/images/candidate/file']);
});

test('an existing repository: package.json and .gitignore are merged into, nothing of theirs is lost', () => {
  const dir = fresh();
  const mine = { name: 'blinky-fw', version: '3.2.1', description: 'firmware', scripts: { build: 'west build', test: 'ctest' }, devDependencies: { typescript: '^5' }, config: { board: 'nrf52840dk' } };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(mine, null, 4) + '\n');
  writeFileSync(path.join(dir, '.gitignore'), 'build/\n/node_modules\n*.hex');
  mkdirSync(path.join(dir, 'tests/ota'), { recursive: true });
  writeFileSync(path.join(dir, 'tests/ota/mine.spec.ts'), '// theirs\n');
  assert.equal(init(dir, { sim: true }).code, 0);
  const text = read(dir, 'package.json');
  const pkg = JSON.parse(text);
  assert.deepEqual({ ...pkg, scripts: undefined, devDependencies: undefined }, { ...mine, scripts: undefined, devDependencies: undefined });
  assert.deepEqual(pkg.scripts, { ...mine.scripts, ...SCRIPTS });
  assert.equal(pkg.devDependencies.typescript, '^5');
  assert.equal(Object.keys(pkg.devDependencies).length, 3);
  assert.ok(pkg.devDependencies['ota-hil']);
  assert.match(text, /^ {4}"name"/m, 'their indentation kept');
  const ignore = read(dir, '.gitignore');
  assert.ok(ignore.startsWith('build/\n/node_modules\n*.hex\n'), ignore);
  assert.equal(ignore.match(/node_modules/g)!.length, 1, 'node_modules is ignored already');
  assert.match(ignore, /^reports\/$/m);
  assert.equal(read(dir, 'tests/ota/mine.spec.ts'), '// theirs\n');
  // Run again: the same scripts are no conflict, .gitignore gains nothing twice; the written files are.
  const again = init(dir, { sim: true });
  assert.equal(again.code, 1);
  assert.doesNotMatch(again.said, /package\.json|\.gitignore/);
});

test('refuses to overwrite, naming every file and script, and writes nothing; --force overwrites', () => {
  const dir = fresh();
  writeFileSync(path.join(dir, 'playwright.config.ts'), '// their web tests\n');
  mkdirSync(path.join(dir, 'rigs'));
  writeFileSync(path.join(dir, 'rigs/lab.json'), '{}\n');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'fw', scripts: { ota: 'make flash-ota' } }));
  const before = snapshot(dir);
  const r = init(dir, { sim: true });
  assert.equal(r.code, 1);
  assert.deepEqual(r.written, []);
  for (const named of ['playwright.config.ts: exists', 'rigs/lab.json: exists', 'package.json: script "ota" exists ("make flash-ota"']) assert.ok(r.said.includes(named), `names ${named}:\n${r.said}`);
  assert.doesNotMatch(r.said, /first-update/);
  assert.deepEqual(snapshot(dir), before, 'nothing written');

  const forced = init(dir, { sim: true, force: true });
  assert.equal(forced.code, 0, forced.said);
  assert.match(read(dir, 'playwright.config.ts'), /otaHilConfig/);
  assert.equal(JSON.parse(read(dir, 'package.json')).scripts.ota, SCRIPTS.ota);
  assert.equal(loadRig(path.join(dir, 'rigs/lab.json')).boards.length, 1);
});

test('another Playwright config or a broken package.json is refused before anything is written', () => {
  const dir = fresh();
  writeFileSync(path.join(dir, 'playwright.config.js'), 'module.exports = {};\n');
  writeFileSync(path.join(dir, 'package.json'), '{ "name": "fw", }');
  const r = init(dir, {});
  assert.equal(r.code, 1);
  assert.match(r.said, /playwright\.config\.js: exists/);
  assert.match(r.said, /package\.json: not valid JSON/);
  assert.deepEqual(Object.keys(snapshot(dir)).sort(), ['package.json', 'playwright.config.js']);
});

// main() in this process (test/helpers/ota-hil.ts): output and exit code as `ota-hil init` gives them.
test('the command: --dir creates the folder, prints the next three commands; a bad option is a usage error', async () => {
  const dir = path.join(fresh(), 'fw');
  const r = await otaHil(['init', '--sim', '--dir', dir]);
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /Next \(cd .*fw\):\n {2}.*\n {2}npm run ota .*\n {2}.*\n$/);
  assert.equal(loadRig(path.join(dir, 'rigs/lab.json')).boards[0]!.stack, 'mcuboot');
  const bad = await otaHil(['init', '--simulated']);
  assert.equal(bad.status, 2);
  assert.match(bad.err, /usage: ota-hil init/);
});
