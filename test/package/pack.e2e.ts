// The package as a firmware team adopts it (issue 12's "done means"): `npm pack`, the tarball
// installed into a fresh project outside the repository, `npx ota-hil init --sim`, stock scenarios
// run from node_modules on the simulated rig (with the gate and the Allure report), and a power
// driver of the project's own, one file registered in its playwright.config.ts, switching a
// simulated board. Takes minutes (a build, an install, three Playwright runs): `npm run
// test:package`, run by .ci/run, not part of `npm test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const NPM_OFFLINE = ['--prefer-offline', '--no-audit', '--no-fund'];

/** The user's environment: nothing of this repository's run settings leaks into theirs. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...extra };
  for (const [k, v] of Object.entries(process.env)) if (!/^(OTA_HIL_|OTAHIL_|npm_)/i.test(k)) env[k] = v;
  return env;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs = 300_000, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, env: userEnv(env), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { status: r.status, stdout: r.stdout ?? '', out, tail: `$ ${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}:\n${out.split('\n').slice(-40).join('\n')}` };
}

/** The lab's own power driver, one file: its rig options and its factory. This PDU's outlet feeds a simulated board, so it switches the board's supply (ctx.sim); it logs every switch. */
const BENCH_PDU = `import { appendFileSync } from 'node:fs';
import { defineKind, Type, PowerError, type PowerContext, type PowerSwitch } from 'ota-hil/kinds';

export const benchPdu = defineKind({
  kind: 'bench-pdu',
  description: 'the bench PDU, one outlet per board',
  options: { outlet: Type.Integer({ minimum: 1, maximum: 8 }), log: Type.String({ minLength: 1 }) },
  create: (config, ctx: PowerContext): PowerSwitch => {
    const supply = ctx.sim;
    if (!supply) throw new PowerError(ctx.board, 'bench-pdu', 'this PDU feeds simulated boards only');
    const log = (what: string) => appendFileSync(config.log, \`\${ctx.board} outlet \${config.outlet} \${what}\\n\`);
    return {
      description: \`bench PDU outlet \${config.outlet}\`,
      on: () => Promise.resolve(void (log('on'), supply.powerOn())),
      off: () => Promise.resolve(void (log('off'), supply.powerOff())),
      state: () => Promise.resolve(supply.powered ? 'on' : 'off'),
      close: () => Promise.resolve(),
    };
  },
});
`;

/** Type-checked against the package's .d.ts: if its types did not resolve, everything would be `any` and the expected error would be missing. */
const TYPES_CHECK = `import { test, expect, type FaultPlan } from 'ota-hil';
import { otaHilConfig, STOCK_SCENARIOS } from 'ota-hil/config';
import kinds from './ota-kinds.ts';

const stock: string = STOCK_SCENARIOS;
const plan: FaultPlan = { name: 'cut halfway', cuts: [{ kind: 'download', fraction: 0.5 }] };
otaHilConfig({ testDir: stock, kinds });
test('types', async ({ board }) => {
  // @ts-expect-error: a board has no such method
  await board.noSuchMethod();
  await expect(board).toBoot({ version: '1.0.0', event: 'normal' });
  void plan;
});
`;

test('packed, installed in a fresh project, init --sim, stock scenarios and a driver of the project\'s own', { timeout: 1_800_000 }, (t) => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'ota-hil-pack-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  assert.ok(path.relative(REPO, tmp).startsWith('..'), 'the project is outside the repository');

  // The tarball: what ships, and nothing else.
  const pack = run('npm', ['pack', '--json', '--pack-destination', tmp, ...NPM_OFFLINE], REPO, 600_000);
  assert.equal(pack.status, 0, pack.tail);
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.search(/^\[/m))) as { filename: string; files: { path: string }[] }[];
  const files = info!.files.map((f) => f.path);
  for (const f of ['bin/ota-hil.mjs', 'dist/harness/index.js', 'dist/harness/index.d.ts', 'dist/harness/config.js', 'dist/harness/kinds.js', 'dist/harness/kinds.d.ts', 'dist/harness/faults/sweep-worker.mjs', 'dist/scenarios/clean-update.spec.js', 'rig.schema.json', 'allurerc.mjs', 'gate.policy.json', 'README.md', 'package.json']) {
    assert.ok(files.includes(f), `${f} ships`);
  }
  const stray = files.filter((f) => /^(test|bench|harness|scenarios|reports|\.ci)\//.test(f) || /corpus/.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
  assert.deepEqual(stray, [], 'no tests, benches, corpus or TypeScript sources ship');
  const schema = JSON.stringify(JSON.parse(readFileSync(path.join(REPO, 'rig.schema.json'), 'utf8')));
  for (const kind of ['sim', 'tasmota', 'serial-relay', 'http-pull', 'smp', 'sim-flash', 'console-command']) assert.ok(schema.includes(`"const":"${kind}"`), `the shipped rig schema knows kind ${kind}`);

  // A firmware repository with no JavaScript yet, then the package (its peer @playwright/test comes with it).
  const fw = path.join(tmp, 'firmware');
  mkdirSync(fw);
  writeFileSync(path.join(fw, 'package.json'), JSON.stringify({ name: 'firmware', private: true }, null, 2));
  const install = run('npm', ['install', '--save-dev', path.join(tmp, info!.filename), ...NPM_OFFLINE], fw, 600_000);
  assert.equal(install.status, 0, install.tail);
  assert.ok(existsSync(path.join(fw, 'node_modules/@playwright/test/package.json')), 'the peer @playwright/test is installed');

  const init = run('npx', ['ota-hil', 'init', '--sim'], fw);
  assert.equal(init.status, 0, init.tail);
  for (const f of ['playwright.config.ts', 'rigs/lab.json', '.gitignore']) assert.ok(existsSync(path.join(fw, f)), `init wrote ${f}`);
  const rig = JSON.parse(readFileSync(path.join(fw, 'rigs/lab.json'), 'utf8')) as { $schema: string; boards: { name: string; power: unknown }[] };
  assert.ok(existsSync(path.resolve(fw, 'rigs', rig.$schema)), `the rig's $schema ${rig.$schema} is a file the package installed`);
  const board = rig.boards[0]?.name;
  assert.ok(board, 'the starter rig has a board');

  // The stock library from node_modules on the simulated board, then the gate and the Allure report;
  // the sweep on two worker threads, which load the compiled sweep from dist/ (no TypeScript loader there).
  const grep = 'a confirmed update boots|a withheld commit reverts|every cut point of an update and its commit';
  const stock = run('npx', ['ota-hil', 'scenarios', '--grep', grep], fw, 600_000, { OTA_HIL_SWEEP_THREADS: '2' });
  assert.equal(stock.status, 0, stock.tail);
  assert.match(stock.out, /node_modules\/ota-hil\/dist\/scenarios\/clean-update\.spec\.js.*a confirmed update boots/, stock.tail);
  assert.match(stock.out, /node_modules\/ota-hil\/dist\/scenarios\/withheld-commit\.spec\.js.*a withheld commit reverts/, stock.tail);
  assert.match(stock.out, /node_modules\/ota-hil\/dist\/scenarios\/sweep\.spec\.js.*every cut point of an update and its commit/, stock.tail);
  assert.match(stock.out, /\b3 passed\b/, stock.tail);
  assert.ok(existsSync(path.join(fw, 'reports/allure-report/index.html')), `the Allure report is in the project's reports/\n${stock.tail}`);
  assert.ok(existsSync(path.join(fw, 'reports/gate.json')), `the gate judged the run\n${stock.tail}`);

  // The project's own power driver: one file, listed in the one file its config and the rig commands
  // share, validated with the rig by JSON pointer, in the rig's JSON Schema.
  mkdirSync(path.join(fw, 'power'));
  writeFileSync(path.join(fw, 'power/bench-pdu.ts'), BENCH_PDU);
  writeFileSync(path.join(fw, 'ota-kinds.ts'), "import { benchPdu } from './power/bench-pdu.ts';\n\nexport default { power: [benchPdu] };\n");
  const configFile = path.join(fw, 'playwright.config.ts');
  const config = readFileSync(configFile, 'utf8');
  assert.match(config, /otaHilConfig\(\{/, 'the config is built by otaHilConfig');
  writeFileSync(configFile, `import kinds from './ota-kinds.ts';\n${config.replace('otaHilConfig({', 'otaHilConfig({\n  kinds,')}`);
  const pduLog = path.join(tmp, 'pdu.log');
  const setPower = (power: object) => {
    rig.boards[0]!.power = power;
    writeFileSync(path.join(fw, 'rigs/lab.json'), JSON.stringify(rig, null, 2));
  };
  const refusal = /rigs\/lab\.json: invalid rig file[\s\S]*\/boards\/0\/power\/outlet: Expected integer to be less or equal to 8/;

  setPower({ kind: 'bench-pdu', outlet: 9, log: pduLog });
  const refused = run('npx', ['playwright', 'test', '--list'], fw);
  assert.notEqual(refused.status, 0, refused.tail);
  assert.match(refused.out, refusal, refused.tail);
  // The rig commands load the TypeScript kinds file with the project's tsx (Node 20 cannot by itself).
  const tsxVersion = (JSON.parse(readFileSync(path.join(REPO, 'node_modules/tsx/package.json'), 'utf8')) as { version: string }).version;
  const tsx = run('npm', ['install', '--save-dev', `tsx@${tsxVersion}`, ...NPM_OFFLINE], fw);
  assert.equal(tsx.status, 0, tsx.tail);
  const invalid = run('npx', ['ota-hil', 'rig', 'validate', 'rigs/lab.json', '--kinds', 'ota-kinds.ts'], fw);
  assert.equal(invalid.status, 1, invalid.tail);
  assert.match(invalid.out, refusal, invalid.tail);

  setPower({ kind: 'bench-pdu', outlet: 3, log: pduLog });
  const valid = run('npx', ['ota-hil', 'rig', 'validate', 'rigs/lab.json', '--kinds', 'ota-kinds.ts'], fw);
  assert.equal(valid.status, 0, valid.tail);
  const ownSchema = run('npx', ['ota-hil', 'rig', 'schema', '--kinds', 'ota-kinds.ts', '--out', 'rigs/rig.schema.json'], fw);
  assert.equal(ownSchema.status, 0, ownSchema.tail);
  assert.ok(readFileSync(path.join(fw, 'rigs/rig.schema.json'), 'utf8').includes('"const": "bench-pdu"'), 'the JSON Schema has the kind for editor completion');
  const own = run('npx', ['playwright', 'test', '--grep', 'a confirmed update boots', '--reporter', 'list'], fw, 600_000);
  assert.equal(own.status, 0, own.tail);
  assert.match(own.out, /\b1 passed\b/, own.tail);
  const calls = readFileSync(pduLog, 'utf8').trim().split('\n');
  assert.ok(calls.every((c) => c === `${board} outlet 3 on` || c === `${board} outlet 3 off`), calls.join('\n'));
  // The scenario's two power cycles (an off, then an on each), and the rig's safe state at the end: off.
  assert.ok(calls.filter((c) => c.endsWith(' on')).length >= 2 && calls.filter((c) => c.endsWith(' off')).length >= 3, calls.join('\n'));
  assert.equal(calls.at(-1), `${board} outlet 3 off`, 'the board is left in its safe state by the driver');

  // The project type-checks against the package's .d.ts (the compiler of this repository, the project's own files).
  writeFileSync(path.join(fw, 'types.check.ts'), TYPES_CHECK);
  writeFileSync(
    path.join(fw, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, noEmit: true, allowImportingTsExtensions: true, skipLibCheck: true, types: ['node'], typeRoots: [path.join(REPO, 'node_modules/@types')] },
      include: ['types.check.ts', 'power', 'ota-kinds.ts', 'playwright.config.ts'],
    }),
  );
  const tsc = run(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', '.'], fw);
  assert.equal(tsc.status, 0, tsc.tail);
});
