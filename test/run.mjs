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

/** Files that keep a process of their own, longest first (node:test starts files in this order). */
const ALONE = [
  // Their time goes into processes they spawn (Playwright runs, allure, a browser, CLI children)
  // or real-time waits, or (zerynth-sweep, fast-vs-replay, robust) into long work of their own:
  // in a group they would be its long pole.
  'test/scenarios/can-fail.test.ts',
  'test/report/browser.test.ts',
  'test/fixtures/real-board.test.ts',
  'test/report/history.test.ts',
  'test/scenarios/tags.test.ts',
  'test/report/merge.test.ts',
  'test/sim/zerynth-sweep.test.ts',
  'test/faults/fast-vs-replay.test.ts',
  'test/bootlog/robust.test.ts',
  'test/cli/console-follow.test.ts',
  'test/fixtures/signals.test.ts',
  'test/power/safe-state.test.ts',
  'test/faults/sample.test.ts',
  'test/fleet/mqtt-flows.test.ts',
  'test/locks/board-lock.test.ts',
  // Registers a kind for the rest of its process, which other files' rigs would see.
  'test/docs/extending-example.test.ts',
];
/** Grouped files that wait long in real time (seconds), dealt to different groups; others count 1. */
const WAITS = { 'test/ota/smp.test.ts': 10, 'test/ota/espota.test.ts': 10, 'test/ota/mos-rpc.test.ts': 10, 'test/install/command.test.ts': 10, 'test/cli/cli.test.ts': 10 };
/** How many processes run at once. */
const CONCURRENCY = 3;
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
  const args = ['--import', './test/preload.mjs', '--import', 'tsx', '--test', `--test-concurrency=${CONCURRENCY}`, ...flags, ...files];
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
const weight = (f) => WAITS[f] ?? 1;
const groups = Array.from({ length: GROUPS }, () => ({ files: [], weight: 0 }));
for (const f of all.filter((f) => !alone(f)).sort((a, b) => weight(b) - weight(a))) {
  const g = groups.reduce((a, b) => (b.weight < a.weight ? b : a));
  g.files.push(f);
  g.weight += weight(f);
}

// Each group is a module importing its files in turn; a file that fails to load is a failing test
// of its own and the group's other files still run.
const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-test-groups-'));
const entries = groups.map(({ files }, i) => {
  const entry = path.join(dir, `group-${i + 1}.mjs`);
  writeFileSync(
    entry,
    `import { test } from 'node:test';\nfor (const file of ${JSON.stringify(files, null, 2)}) {\n` +
      `  try { await import(${JSON.stringify(pathToFileURL('./').href)} + file); } catch (e) { test(\`\${file} loads\`, () => { throw e; }); }\n}\n`,
  );
  return entry;
});
const code = await node([...ALONE.filter((f) => all.includes(f)), ...all.filter((f) => alone(f) && !ALONE.includes(f)), ...entries]);
rmSync(dir, { recursive: true, force: true });
process.exit(code);
