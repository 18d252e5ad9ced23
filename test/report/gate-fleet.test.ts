// The gate's fleet rule: a rollout result passes with enough boards converged and no brick; it is
// not held to the per-board scenario list (a fleet runs no per-board scenario).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeResults, type FakeResult } from './allure-fixture.ts';
import { readResults } from '../../harness/report/allure-results.ts';
import { evaluateGate } from '../../harness/report/gate.ts';
import { formatGate } from '../../harness/report/gate-format.ts';
import { resolvePolicy, validatePolicy, PolicyError, type GatePolicy } from '../../harness/report/gate-policy.ts';
import type { FleetSummary } from '../../harness/fleet/verdict.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'ota-hil-gate-fleet-'));
let n = 0;
const POLICY: GatePolicy = { boards: ['sim/mcuboot-1'], scenarios: [{ title: '^a withheld commit reverts' }] };
const board: FakeResult = { title: 'a withheld commit reverts to the baseline' };
const summary = (s: Partial<FleetSummary>): string =>
  JSON.stringify({ targets: 50, onCandidate: 50, onBaseline: 0, deferred: 0, bricked: 0, failed: 0, withheld: 0, excluded: 0, timeToConvergeMs: 1000, convergedFraction: 1, ...s });
const rollout = (s: Partial<FleetSummary>): FakeResult => ({ title: 'rollout to 50 boards', board: 'fleet', fleet: summary(s) });

function judge(results: FakeResult[], policy: GatePolicy = POLICY) {
  const dir = path.join(tmp, `results-${n++}`);
  writeResults(dir, results);
  return evaluateGate(resolvePolicy(policy), readResults([dir]).results);
}

void test('a converged rollout passes and is not asked for the per-board scenarios', () => {
  const v = judge([board, rollout({})]);
  assert.equal(v.pass, true, formatGate(v));
});

void test('too few boards converged fails by the policy minimum; the message counts them', () => {
  const s = { onCandidate: 46, onBaseline: 2, deferred: 2, convergedFraction: 0.92 };
  const strict = judge([board, rollout(s)]);
  assert.equal(strict.pass, false);
  assert.deepEqual(strict.problems.map((p) => [p.rule, p.board]), [['fleet', 'sim/fleet']]);
  assert.equal(strict.problems[0]!.message, 'rollout "rollout to 50 boards" on sim/fleet: 46/50 boards on the candidate (92%), below the required 100% (2 on baseline, 2 deferred, 0 failed)');
  assert.match(strict.candidates[0]!.summary, /1 rollout problem\(s\) on sim\/fleet/);
  assert.equal(judge([board, rollout(s)], { ...POLICY, fleet: { minConverged: 0.9 } }).pass, true);
});

void test('a bricked board in a rollout fails the gate unless the policy only reports it', () => {
  const v = judge([board, rollout({ bricked: 1, onCandidate: 49, convergedFraction: 0.98 })], { ...POLICY, fleet: { minConverged: 0.95 } });
  assert.deepEqual(v.problems.map((p) => p.message), ['BRICK in rollout "rollout to 50 boards" on sim/fleet: 1 of 50 boards boot nothing']);
  assert.equal(judge([board, rollout({ bricked: 1, onCandidate: 49, convergedFraction: 0.98 })], { ...POLICY, fleet: { minConverged: 0.95, bricks: 'report' } }).pass, true);
});

void test('the fleet policy is validated by pointer', () => {
  assert.throws(() => validatePolicy({ ...POLICY, fleet: { minConverged: 2 } }, 'gate.policy.json'), (e: unknown) => e instanceof PolicyError && /\/fleet\/minConverged/.test(e.message));
});
