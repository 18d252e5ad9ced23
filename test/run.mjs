// `npm test`: every test/**/*.test.ts under node:test, most of them several to a process.
// A test process spends about a second loading tsx and the harness before its first test; paid once
// per file, that was 40% of the suite's CPU. Here the light files share a few processes (groups):
// node:test runs their top-level tests one after another, as in a process of their own, and each
// failure still names its test and file. Files that would make a group the long pole (their time
// goes into child processes or real-time waits) or that cannot share a process keep one each.
// `npm test -- FILE...` runs just those files, one process each, as `node --test` does; other
// arguments (`--test-name-pattern=...`) go to node.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Files that start Playwright runs: they wait for the compile cache below. */
const PLAYWRIGHT = [
  'test/scenarios/can-fail.test.ts',
  'test/report/browser.test.ts',
  'test/fixtures/real-board.test.ts',
  'test/report/history.test.ts',
  'test/scenarios/tags.test.ts',
  'test/report/merge.test.ts',
  'test/fixtures/signals.test.ts',
  'test/faults/sample.test.ts',
];
/** Files that keep a process of their own. */
const ALONE = [
  // Their time goes into processes they spawn (Playwright runs, allure, a browser, CLI children)
  // or real-time waits, or (zerynth-sweep, fast-vs-replay, robust) into long work of their own:
  // in a group they would be its long pole.
  ...PLAYWRIGHT,
  'test/faults/fast-vs-replay.test.ts',
  'test/bootlog/robust.test.ts',
  'test/cli/console-follow.test.ts',
  'test/power/safe-state.test.ts',
  'test/fleet/mqtt-flows.test.ts',
  'test/locks/board-lock.test.ts',
  // Registers a kind for the rest of its process, which other files' rigs would see.
  'test/docs/extending-example.test.ts',
];
/**
 * Seconds the files that take long take (a process's wall time when alone, its tests' when grouped;
 * others count 1), on the scale of a load of 7-15: re-measured with concurrency 4 at loads of 10-29
 * and scaled by their median ratio to the previous table, CPU-bound files checked against their CPU.
 * The groups are dealt even by them, and the longest processes start first (node:test starts files
 * in the order given). Only the order and the balance depend on these.
 */
const SECONDS = {
  'test/report/browser.test.ts': 66,
  'test/report/history.test.ts': 50,
  'test/scenarios/can-fail.test.ts': 40,
  'test/report/merge.test.ts': 36,
  'test/fixtures/real-board.test.ts': 35,
  'test/fixtures/signals.test.ts': 15,
  'test/cli/cli.test.ts': 14,
  'test/sim/esp-idf-sweep.test.ts': 13,
  'test/power/safe-state.test.ts': 12,
  'test/bootlog/robust.test.ts': 11,
  'test/fleet/mqtt-flows.test.ts': 11,
  'test/console/hygiene.test.ts': 10,
  'test/rig/defaults.test.ts': 10,
  'test/faults/fast-vs-replay.test.ts': 9,
  'test/faults/sweep.test.ts': 9,
  'test/scenarios/tags.test.ts': 9,
  'test/sim/mcuboot-sweep.test.ts': 9,
  'test/sim/mongoose-sweep.test.ts': 9,
  'test/console/reconnect.test.ts': 8,
  'test/rig/light-load.test.ts': 8,
  'test/sim/rboot-sweep.test.ts': 8,
  'test/power/tools.test.ts': 7,
  'test/sim/zerynth-sweep.test.ts': 7,
  'test/faults/sample.test.ts': 6,
  'test/locks/board-fixture.test.ts': 6,
  'test/power/tasmota.test.ts': 6,
  'test/sim/mcuboot-move.test.ts': 6,
  'test/faults/journal-span.test.ts': 5,
  'test/fuzz/console-fuzz.test.ts': 5,
  'test/install/command.test.ts': 5,
  'test/ota/command.test.ts': 5,
  'test/ota/sim-serve.test.ts': 5,
  'test/sim/esp8266-sweep.test.ts': 5,
  'test/sim/mcuboot-download-sweep.test.ts': 5,
  'test/faults/power-race.test.ts': 5,
  'test/cli/sim-ops.test.ts': 4,
  'test/report/gate-report.test.ts': 4,
  'test/docs/extending-example.test.ts': 4,
  'test/fixtures/commit-ack.test.ts': 4,
  'test/lint/boundaries.test.ts': 4,
  'test/power/manual.test.ts': 4,
  'test/bootlog/follow.test.ts': 4,
  'test/faults/faithful.test.ts': 4,
  'test/fleet/rollout.test.ts': 4,
  'test/cli/console-follow.test.ts': 3,
  'test/fuzz/rig-fuzz.test.ts': 3,
  'test/locks/board-lock.test.ts': 3,
  'test/faults/run-plan.test.ts': 3,
};
/** How many processes run at once. */
const CONCURRENCY = 4;
/** How many shared processes the other files are dealt into. */
const GROUPS = 5;
// node:test hangs a file's top-level hooks on the process's root test: in a shared process they
// would run around other files' tests too, and a top-level before() at once, during loading.
// Except `afterEach(cleanup)` and `after(cleanup)` of the sim tests (test/sim/stack-kit.ts): they
// close only boards and servers that kit's tests opened, which no test keeps for the next.
const TOP_LEVEL_HOOK = /^(before|after|beforeEach|afterEach)\((?!cleanup\);$)/m;

const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const named = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const node = (files) => {
  const args = ['--import', 'tsx', '--test', `--test-concurrency=${CONCURRENCY}`, ...flags, ...files];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
};

if (named.length > 0) process.exit(await node(named));

const all = readdirSync('test', { recursive: true })
  .map((f) => path.join('test', f))
  .filter((f) => f.endsWith('.test.ts'))
  .sort();
const alone = (f) => ALONE.includes(f) || TOP_LEVEL_HOOK.test(readFileSync(f, 'utf8'));
// Heaviest first, each to the lightest group so far.
const weight = (f) => SECONDS[f] ?? 1;
const groups = Array.from({ length: GROUPS }, () => ({ files: [], weight: 0 }));
for (const f of all.filter((f) => !alone(f)).sort((a, b) => weight(b) - weight(a))) {
  const g = groups.reduce((a, b) => (b.weight < a.weight ? b : a));
  g.files.push(f);
  g.weight += weight(f);
}

// A group is a module that imports its files, holding their tests back until all have loaded
// (node:test runs one top-level test at a time, and its first one waits for the loading), so no
// test runs beside another file's module code. A file that does not load fails that first test,
// named; the group's other files still run. Its last test checks that the files left the process
// as they found it (environment, cwd, process handlers, user kinds; not the exit code, which
// node:test sets itself when a test fails).
const ROOT = pathToFileURL('./').href;
const groupModule = (files) => `import { test } from 'node:test';
import assert from 'node:assert/strict';
${['power', 'ota', 'install', 'commit'].map((c) => `import { ${c === 'ota' ? 'transport' : c}Kinds } from '${ROOT}harness/${c}/registry.ts';`).join('\n')}
const files = ${JSON.stringify(files, null, 2)};
let loaded;
test(\`\${files.length} test files load\`, () => new Promise((resolve, reject) => (loaded = { resolve, reject })));
const failed = [];
for (const file of files) {
  try {
    await import('${ROOT}' + file);
  } catch (e) {
    failed.push(\`\${file}: \${e?.stack ?? e}\`);
  }
}
const error = failed.length > 0 ? new Error(failed.join('\\n')) : undefined;
// Under --test-name-pattern the first test may be filtered out: then a file that failed fails the group.
if (!loaded && error) throw error;
const state = () => ({
  cwd: process.cwd(),
  env: Object.entries(process.env).sort(),
  handlers: ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'uncaughtException', 'unhandledRejection'].map((e) => \`\${e} \${process.listenerCount(e)}\`),
  kinds: [powerKinds, transportKinds, installKinds, commitKinds].flatMap((r) => r.kinds.map((k) => \`\${r.category} \${k.kind}\`)),
});
const before = state();
test(\`\${files.length} test files leave the process as they found it\`, () => assert.deepEqual(state(), before, files.join(', ')));
if (error) loaded.reject(error);
else loaded?.resolve();
`;
const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-test-groups-'));
// Playwright compiles each TypeScript file into a cache keyed by its path and content. In a fresh
// clone (as on CI) or after a harness edit, the first Playwright runs, starting together, would each
// compile the whole harness (main 8.5 s of CPU cold, 2.4 s warm): one run that selects no test fills
// the cache first. It loads the config and every spec, as a listing does, and runs the global setup
// (harness/rig/runner-check.ts), which loads the simulated stacks to build the rig's images: a
// listing does not, and each run after it compiled them again (~1 s of CPU per run, cold). No
// reporter: Allure would write a result per test (0.25 s).
// It runs beside the first test processes: a file that starts Playwright waits for it (its entry
// module polls for the marker the run leaves when it exits), the others use the other core.
const filled = path.join(dir, 'playwright-cache-filled');
const fillArgs = ['test', '--grep-invert', '.', '--pass-with-no-tests', '--reporter=null'];
const fill = spawn(process.execPath, ['node_modules/@playwright/test/cli.js', ...fillArgs], { stdio: 'ignore', timeout: 120_000, env: { ...process.env, OTA_HIL_REPORTS: path.join(dir, 'fill') } });
fill.on('exit', () => writeFileSync(filled, ''));
fill.on('error', () => writeFileSync(filled, ''));
const waitForFill = `import { existsSync } from 'node:fs';
while (!existsSync(${JSON.stringify(filled)})) await new Promise((resolve) => setTimeout(resolve, 100));
`;
const jobs = [
  ...all.filter(alone).map((f) => ({ name: path.basename(f, '.test.ts'), source: PLAYWRIGHT.includes(f) ? `${waitForFill}await import('${ROOT}${f}');\n` : `import '${ROOT}${f}';\n`, weight: weight(f) })),
  ...groups.filter(({ files }) => files.length > 0).map(({ files, weight }, i) => ({ name: `group-${i + 1}`, source: groupModule(files), weight })),
].sort((a, b) => b.weight - a.weight);
// node --test starts its files in the order of their sorted paths, not as given: each process gets
// an entry module here named by its place in the order (a file alone is just imported by its own).
const entries = jobs.map((j, i) => {
  const entry = path.join(dir, `${String(i).padStart(2, '0')}-${j.name}.mjs`);
  writeFileSync(entry, j.source);
  return entry;
});
const code = await node(entries);
rmSync(dir, { recursive: true, force: true });
process.exit(code);
