// Sampled cuts are reproducible: the plan of an iteration depends on (seed, iteration) only, the
// seed is chosen and printed, and OTA_HIL_SEED + OTA_HIL_ITERATION select exactly that plan in the
// scenario file, as the printed command says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { playwrightTest } from '../helpers/playwright-run.ts';
import { validatePlan } from '../../harness/faults/plan.ts';
import { promisesOf } from '../../harness/fixtures/promises.ts';
import { defaultSpace, reproduceCommand, sampleIterations, samplePlan, sampleSeed } from '../../harness/faults/sample.ts';

const space = defaultSpace(promisesOf('mcuboot'));

test('the same seed and iteration give the same plan; others differ; every plan is valid', () => {
  const plans = Array.from({ length: 40 }, (_, i) => samplePlan(1234, i, space));
  assert.deepEqual(samplePlan(1234, 17, space), plans[17]);
  for (const p of plans) validatePlan(p);
  assert.notDeepEqual(samplePlan(1235, 17, space).cuts, plans[17]!.cuts);
  const distinct = new Set(plans.map((p) => JSON.stringify([p.cuts, p.commit]))).size;
  assert.ok(distinct >= 36, `only ${distinct} distinct plans in 40 iterations`);
  const kinds = new Set(plans.map((p) => p.cuts![0]!.kind));
  assert.deepEqual([...kinds].sort(), ['boot', 'console', 'download'], 'the distribution covers download, boot and install-line cuts');
  assert.ok(plans.some((p) => p.commit === 'withhold') && plans.some((p) => p.cuts!.length === 2), 'withheld commits and repeated cuts are drawn too');
});

test('a stack without an install line or rollback draws neither', () => {
  const plain = { ...promisesOf('mcuboot'), swapStarts: null, withheldCommit: null };
  const plans = Array.from({ length: 30 }, (_, i) => samplePlan(7, i, defaultSpace(plain)));
  assert.ok(plans.every((p) => p.commit === 'confirm' && p.cuts![0]!.kind !== 'console'));
});

test('seed and iterations come from the environment; the rerun command carries them', () => {
  assert.deepEqual(sampleSeed({ OTA_HIL_SEED: '1234' }), { seed: 1234, from: 'OTA_HIL_SEED' });
  assert.equal(sampleSeed({}, new Date('2026-03-04T23:00:00Z')).seed, 20260304);
  assert.throws(() => sampleSeed({ OTA_HIL_SEED: 'abc' }), /OTA_HIL_SEED=abc: expected an integer/);
  assert.deepEqual(sampleIterations({ OTA_HIL_ITERATION: '17' }), [17]);
  assert.deepEqual(sampleIterations({ OTA_HIL_ITERATIONS: '3' }), [0, 1, 2]);
  assert.deepEqual(sampleIterations({}), [0, 1, 2, 3]);
  assert.equal(
    reproduceCommand(1234, 17, 'scenarios/sampled-cuts.spec.ts', 'sim/mcuboot-1', {}),
    'OTA_HIL_SEED=1234 OTA_HIL_ITERATION=17 npx playwright test scenarios/sampled-cuts.spec.ts --project sim/mcuboot-1',
  );
});

test('the printed command selects exactly that iteration in the scenario file', () => {
  const r = playwrightTest(['scenarios/sampled-cuts.spec.ts', '--list', '--project', 'sim/mcuboot-1'], {
    dir: mkdtempSync(path.join(tmpdir(), 'ota-hil-sample-')),
    rigs: ['rigs/sim.json'],
    json: false,
    env: { OTA_HIL_SEED: '1234', OTA_HIL_ITERATION: '17' },
    timeoutMs: 60_000,
  });
  assert.equal(r.status, 0, r.out);
  const listed = r.out.split('\n').filter((l) => /iteration \d+/.test(l));
  assert.equal(listed.length, 1, r.out);
  assert.match(listed[0]!, /sampled power cuts › iteration 17 ends as the stack promises/);
});
