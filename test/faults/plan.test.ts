// Fault plans are data: the schema and the rules it cannot express report every problem with its
// JSON pointer; a valid plan reads back in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError, describePlan, simOnlySteps, validatePlan } from '../../harness/faults/plan.ts';

function problems(data: unknown): string[] {
  try {
    validatePlan(data, 'plan.json');
  } catch (e) {
    assert.ok(e instanceof PlanError, String(e));
    assert.match(e.message, /^plan\.json: invalid fault plan\n/);
    return e.problems.map((p) => `${p.pointer} ${p.message}`);
  }
  return [];
}

test('a valid plan passes and reads back in words', () => {
  const plan = validatePlan({
    name: 'mid-swap',
    commit: 'withhold',
    cuts: [
      { kind: 'console', pattern: 'Starting swap', delayMs: 20, jitterMs: 10 },
      { kind: 'power-on', delayMs: 15 },
    ],
    network: { stall: { fraction: 0.5, ms: 2000 } },
  });
  assert.equal(
    describePlan(plan),
    'mid-swap: cut 20+10(jitter) ms after console line /Starting swap/; cut again 15 ms after power returns; network stall of 2000 ms at 50%; commit withheld',
  );
  assert.deepEqual(simOnlySteps(plan), []);
});

test('schema errors name the field by JSON pointer', () => {
  const got = problems({ name: '', cuts: [{ kind: 'relay', at: 3 }, { kind: 'download', fraction: 2 }, { kind: 'flash-op' }], extra: 1 });
  assert.ok(got.some((p) => p.startsWith('/name ')), got.join('\n'));
  assert.ok(got.some((p) => /^\/cuts\/0\/kind unknown kind "relay"; expected one of: download \| console \| flash-op \| boot \| power-on$/.test(p)), got.join('\n'));
  assert.ok(got.some((p) => /^\/cuts\/1\/fraction Expected number to be less or equal to 1$/.test(p)), got.join('\n'));
  assert.ok(got.some((p) => /^\/cuts\/2\/op missing required field/.test(p)), got.join('\n'));
  assert.ok(got.some((p) => /^\/extra unknown field/.test(p)), got.join('\n'));
});

test('rules beyond the schema: one of fraction/bytes, a valid regex, power-on only after a cut, fraction only when torn', () => {
  const got = problems({
    name: 'bad',
    cuts: [
      { kind: 'power-on', delayMs: 5 },
      { kind: 'download', fraction: 0.5, bytes: 100 },
      { kind: 'console', pattern: '(' },
      { kind: 'flash-op', op: 4, fraction: 0.3 },
    ],
    network: { drop: {} },
  });
  assert.deepEqual(got.sort(), [
    '/cuts/0/kind "power-on" cuts again while recovering, so it cannot be the first cut',
    '/cuts/1 give exactly one of "fraction" and "bytes"',
    '/cuts/1/kind a download cut must be the first cut (the download ends with the first cut)',
    '/cuts/2/pattern not a valid regular expression: Invalid regular expression: /(/: Unterminated group',
    '/cuts/3/fraction "fraction" needs "torn": true',
    '/network/drop give exactly one of "fraction" and "bytes"',
  ]);
});

test('flash-operation cuts and resets are the sim-only steps', () => {
  const plan = validatePlan({
    name: 'torn',
    cuts: [
      { kind: 'download', bytes: 100 },
      { kind: 'flash-op', op: 17, torn: true },
      { kind: 'console', pattern: 'copy', delayMs: 5, reset: true },
    ],
  });
  assert.deepEqual(simOnlySteps(plan), [
    { step: 'cuts/1', what: 'cut torn during flash operation 17 (50% done)', why: 'only the simulator can stop at a flash operation' },
    { step: 'cuts/2', what: 'reset 5 ms after console line /copy/', why: 'the harness has no reset line to a hardware board yet' },
  ]);
  assert.equal(describePlan(validatePlan({ name: 'r', cuts: [{ kind: 'flash-op', op: 9, reset: true }] })), 'r: reset after flash operation 9');
  assert.throws(() => validatePlan({ name: 'r', cuts: [{ kind: 'flash-op', op: 9, reset: true, torn: true }] }), /\/cuts\/0\/torn: a reset does not tear an operation/);
});
