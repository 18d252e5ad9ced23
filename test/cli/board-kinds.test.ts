// The board commands take a repository's own kinds too (--kinds FILE, as the rig commands do):
// `ota-hil power` cycles a simulated board through a plug defined in the repository (main() in this
// process: test/helpers/ota-hil.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { otaHil } from '../helpers/ota-hil.ts';

test('ota-hil power cycles a simulated board through a plug of your own (--kinds); without it the kind is unknown', async () => {
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
  const power = (...extra: string[]) => otaHil(['power', 'mcuboot-1', 'cycle', '--rig', rig, ...extra]);

  const unknown = await power();
  assert.equal(unknown.status, 2, unknown.err);
  assert.match(unknown.err, /\/boards\/0\/power\/kind: unknown kind "sim-plug"/);
  const r = await power('--kinds', path.join(dir, 'ota-kinds.ts'));
  assert.equal(r.status, 0, `${r.out}\n${r.err}`);
  assert.match(r.out, /mcuboot-1: the sim plug/);
  assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n').slice(-2), ['off', 'on']);
});
