// A user's own kind joins validation, the JSON Schema and the board's parts like the project's
// own; the project's kinds come from their registries; schema defaults are filled in by the loader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { validateRig, RigError } from '../../harness/rig/load.ts';
import { defineKind } from '../../harness/rig/kind.ts';
import { kindsCheckpoint, registerKinds } from '../../harness/rig/extend.ts';
import { jsonSchema } from '../../harness/rig/schema.ts';
import { createPowerSwitch, POWER_KINDS, powerKinds } from '../../harness/power/registry.ts';
import { TRANSPORT_KINDS } from '../../harness/ota/registry.ts';
import type { PowerContext, PowerSwitch } from '../../harness/power/power-switch.ts';

const sim = () => JSON.parse(readFileSync('rigs/sim.json', 'utf8')) as { boards: Record<string, unknown>[] };
const problems = (data: unknown) => {
  try {
    validateRig(data, 'lab.json');
  } catch (e) {
    assert.ok(e instanceof RigError);
    return e.problems;
  }
  return [];
};

const switched: string[] = [];
const lampPower = defineKind({
  kind: 'test-lamp',
  description: 'a lamp dimmer used as a supply switch',
  options: { host: Type.String({ minLength: 1 }), outlet: Type.Optional(Type.Integer({ minimum: 1, maximum: 4, default: 1 })) },
  create: (config, ctx: PowerContext): PowerSwitch => ({
    description: `lamp ${config.host} outlet ${config.outlet ?? 1}`,
    on: () => Promise.resolve(void switched.push(`${ctx.board} on ${config.outlet ?? 1}`)),
    off: () => Promise.resolve(void switched.push(`${ctx.board} off ${config.outlet ?? 1}`)),
    state: () => Promise.resolve('unknown'),
    close: () => Promise.resolve(),
  }),
});

test("the schema's unions are the registries' kinds", () => {
  const schema = JSON.stringify(jsonSchema());
  for (const k of [...POWER_KINDS, ...TRANSPORT_KINDS]) assert.ok(schema.includes(`"const":"${k.kind}"`), k.kind);
});

test('before it is registered, a user kind is an unknown kind naming the known ones', () => {
  const rig = sim();
  rig.boards[0]!.power = { kind: 'test-lamp', host: 'lamp.local' };
  const ps = problems(rig);
  assert.equal(ps.length, 1);
  assert.equal(ps[0]!.pointer, '/boards/0/power/kind');
  assert.match(ps[0]!.message, /unknown kind "test-lamp"; expected one of: sim \| manual/);
});

test("a registered kind's options are validated by JSON pointer, defaulted, in the JSON Schema, and built by the registry", async (t) => {
  t.after(kindsCheckpoint()); // the next test file in this process knows the kind no more
  registerKinds({ power: [lampPower] });
  registerKinds({ power: [lampPower] }); // a config evaluated again: no error
  assert.throws(() => registerKinds({ power: [{ ...lampPower }] }), /power kind "test-lamp" is already registered/);
  // A simulated board lets a user's power kind switch its supply, never one of the project's hardware kinds.
  assert.ok(powerKinds.isUserKind('test-lamp'));
  assert.ok(!powerKinds.isUserKind('tasmota') && !powerKinds.isUserKind('sim'));

  const bad = sim();
  bad.boards[0]!.power = { kind: 'test-lamp', outlet: 9, colour: 'red' };
  const ps = problems(bad).map((p) => `${p.pointer}: ${p.message}`);
  assert.ok(ps.some((p) => p.startsWith('/boards/0/power/host: missing required field')), ps.join('\n'));
  assert.ok(ps.some((p) => p.startsWith('/boards/0/power/outlet: Expected integer to be less or equal to 4')), ps.join('\n'));
  assert.ok(ps.some((p) => p.startsWith('/boards/0/power/colour: unknown field')), ps.join('\n'));

  const good = sim();
  good.boards[0]!.power = { kind: 'test-lamp', host: 'lamp.local' };
  const rig = validateRig(good, 'lab.json');
  const power = rig.boards[0]!.power as unknown as { outlet: number };
  assert.equal(power.outlet, 1, 'the default is filled in by the loader');
  assert.ok(JSON.stringify(jsonSchema()).includes('"const":"test-lamp"'));

  const sw = createPowerSwitch(rig.boards[0]!.power, { board: 'b1' });
  await sw.on();
  assert.deepEqual(switched, ['b1 on 1']);
  assert.equal(sw.description, 'lamp lamp.local outlet 1');
});

test('schema defaults are applied once, by the loader: every consumer sees them (the sweep fork reads commit.expect)', () => {
  const rig = validateRig(sim(), 'sim.json');
  const z = rig.boards.find((b) => b.commit?.kind === 'device-manager');
  assert.ok(z, 'the sim rig has a device-manager board');
  assert.equal((z.commit as { expect?: string }).expect, 'zfota: accepted');
  assert.equal(rig.boards[0]!.console.baud, 115200);
  assert.equal(rig.safeState, 'off');
});
