// The board commands take a repository's own kinds too (--kinds FILE, as the rig commands do):
// `ota-hil power` cycles a simulated board through a plug defined in the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = path.resolve('bin/ota-hil.mjs');

test('ota-hil power cycles a simulated board through a plug of your own (--kinds); without it the kind is unknown', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-board-kinds-'));
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  const log = path.join(dir, 'plug.log');
  // A plug feeding a simulated board: it switches the board's supply (ctx.sim) and logs each switch.
  writeFileSync(
    path.join(dir, 'ota-kinds.ts'),
    `import { appendFileSync } from 'node:fs';
import { defineKind, Type, PowerError, type PowerContext, type PowerSwitch } from ${JSON.stringify(path.resolve('harness/kinds.ts'))};

const simPlug = defineKind({
  kind: 'sim-plug',
  options: { log: Type.String({ minLength: 1 }) },
  create: (config, ctx: PowerContext): PowerSwitch => {
    const supply = ctx.sim;
    if (!supply) throw new PowerError(ctx.board, 'sim-plug', 'feeds simulated boards only');
    return {
      description: 'the sim plug',
      on: () => Promise.resolve(void (appendFileSync(config.log, 'on\\n'), supply.powerOn())),
      off: () => Promise.resolve(void (appendFileSync(config.log, 'off\\n'), supply.powerOff())),
      state: () => Promise.resolve(supply.powered ? 'on' : 'off'),
      close: () => Promise.resolve(),
    };
  },
});
export default { power: [simPlug] };
`,
  );
  const data = JSON.parse(readFileSync('rigs/sim.json', 'utf8')) as { $schema?: string; boards: Record<string, unknown>[] };
  delete data.$schema;
  data.boards = [{ ...data.boards.find((b) => b.stack === 'mcuboot')!, power: { kind: 'sim-plug', log } }];
  const rig = path.join(dir, 'rig.json');
  writeFileSync(rig, JSON.stringify(data));
  const power = (...extra: string[]) => spawnSync(process.execPath, [BIN, 'power', 'mcuboot-1', 'cycle', '--rig', rig, ...extra], { cwd: dir, encoding: 'utf8', timeout: 60_000 });

  const unknown = power();
  assert.equal(unknown.status, 2, unknown.stderr);
  assert.match(unknown.stderr, /\/boards\/0\/power\/kind: unknown kind "sim-plug"/);
  const r = power('--kinds', 'ota-kinds.ts');
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /mcuboot-1: the sim plug/);
  assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n').slice(-2), ['off', 'on']);
});
