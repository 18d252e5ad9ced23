// `ota-hil rig validate|schema --kinds FILE`: a repository's own kinds, from the file its config
// takes them from, are validated by JSON pointer and appear in the JSON Schema; a file that
// exports no kinds is named with what to write instead. (main() in this process: test/helpers/ota-hil.ts;
// the kinds a call registers are forgotten after it, so the first call below still finds none.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { otaHil } from '../helpers/ota-hil.ts';

const cli = (args: string[]) => otaHil(args);

test('rig validate and rig schema with --kinds know a kind of the repository', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-kinds-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  const kinds = path.join(dir, 'ota-kinds.ts');
  writeFileSync(
    kinds,
    `import { defineKind, Type, type PowerContext, type PowerSwitch } from ${JSON.stringify(path.resolve('harness/kinds.ts'))};
export const labPdu = defineKind({
  kind: 'lab-pdu',
  options: { outlet: Type.Integer({ minimum: 1, maximum: 8 }) },
  create: (_config, _ctx: PowerContext): PowerSwitch => { throw new Error('not switched here'); },
});
export default { power: [labPdu] };
`,
  );
  const rig = JSON.parse(readFileSync('rigs/sim.json', 'utf8'));
  rig.boards = [{ ...rig.boards[0], power: { kind: 'lab-pdu', outlet: 2 } }];
  const rigFile = path.join(dir, 'lab.json');
  writeFileSync(rigFile, JSON.stringify(rig));

  const unknown = await cli(['rig', 'validate', rigFile]);
  assert.equal(unknown.status, 1, 'without --kinds the kind is unknown');
  assert.match(unknown.err, /\/boards\/0\/power\/kind: unknown kind "lab-pdu"/);

  const ok = await cli(['rig', 'validate', rigFile, '--kinds', kinds]);
  assert.equal(ok.status, 0, ok.err);
  assert.match(ok.out, /lab\.json: ok \(1 board: mcuboot-1\)/);

  rig.boards[0].power.outlet = 9;
  writeFileSync(rigFile, JSON.stringify(rig));
  const bad = await cli(['rig', 'validate', rigFile, '--kinds', kinds]);
  assert.equal(bad.status, 1);
  assert.match(bad.err, /\/boards\/0\/power\/outlet: Expected integer to be less or equal to 8/);

  // The kinds were that call's: the next one without --kinds knows none (the calls share this process).
  const after = await cli(['rig', 'validate', rigFile]);
  assert.equal(after.status, 1);
  assert.match(after.err, /\/boards\/0\/power\/kind: unknown kind "lab-pdu"/);

  const schema = await cli(['rig', 'schema', '--kinds', kinds]);
  assert.equal(schema.status, 0, schema.err);
  assert.ok(JSON.stringify(JSON.parse(schema.out)).includes('"const":"lab-pdu"'), 'the kind is in the JSON Schema');

  const none = path.join(dir, 'none.mjs');
  writeFileSync(none, 'export const x = 1;\n');
  const empty = await cli(['rig', 'schema', '--kinds', none]);
  assert.equal(empty.status, 1);
  assert.equal(empty.err, `ota-hil: ${none}: exports no kinds (default or \`kinds\`); export your kinds by category, as otaHilConfig takes them: export default { power: [myPdu] }\n`);
});
