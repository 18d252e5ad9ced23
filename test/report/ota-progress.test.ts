// The OTA progress log behind the timeline: it samples any transport's delivery over time,
// keeps only changes, and records exactly where a cut hit. Outside Playwright, report steps are
// plain calls (Board code also runs in tools and unit tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { OtaProgressLog } from '../../harness/report/ota-progress.ts';
import { phase, outcome } from '../../harness/report/step.ts';
import type { OtaDelivery, OtaProgress } from '../../harness/ota/transport.ts';

function fakeDelivery(total: number) {
  const state: OtaProgress = { phase: 'waiting', bytes: 0, total };
  const delivery = { progress: () => ({ ...state }) } as unknown as OtaDelivery;
  return { state, delivery };
}

void test('keeps changes of 0.5% or more and every phase change, on the console clock', () => {
  let now = 0;
  const log = new OtaProgressLog(() => now, 1e6);
  const { state, delivery } = fakeDelivery(10_000);
  log.track(delivery, 'candidate 1.1.0');
  log.stop();
  const at = (t: number, bytes: number, phase: OtaProgress['phase']) => {
    now = t;
    state.bytes = bytes;
    state.phase = phase;
    log.sample();
  };
  at(5, 0, 'transferring');
  at(10, 20, 'transferring'); // 0.2%: not worth a point
  at(15, 5000, 'transferring');
  at(20, 10_000, 'delivered');
  at(25, 10_000, 'delivered');
  assert.deepEqual(
    log.samples.map((s) => [s.t, s.bytes, s.phase]),
    [[0, 0, 'waiting'], [5, 0, 'transferring'], [15, 5000, 'transferring'], [20, 10_000, 'delivered']],
  );
  assert.ok(log.samples.every((s) => s.image === 'candidate 1.1.0' && s.delivery === 0 && s.total === 10_000));
});

void test('samples on its own while tracking, and not after stop', async () => {
  const log = new OtaProgressLog(() => 0, 2);
  const { state, delivery } = fakeDelivery(100);
  log.track(delivery, 'candidate 1.1.0');
  state.phase = 'transferring';
  state.bytes = 50;
  for (let i = 0; i < 100 && log.samples.length < 2; i++) await sleep(10);
  log.stop();
  assert.equal(log.samples.length, 2, 'the timer sampled the change');
  state.bytes = 100;
  await sleep(30);
  assert.equal(log.samples.length, 2, 'stopped');
});

void test('atCut records every delivery as it stands and says where the cut hit one in flight', () => {
  const log = new OtaProgressLog(() => 42, 1000);
  const done = fakeDelivery(100);
  done.state.phase = 'delivered';
  done.state.bytes = 100;
  const flying = fakeDelivery(48_072);
  flying.state.phase = 'transferring';
  flying.state.bytes = 24_036;
  log.track(done.delivery, 'baseline 1.0.0');
  log.track(flying.delivery, 'candidate 1.1.0');
  log.stop();
  assert.equal(log.atCut(), 'at 50% of candidate 1.1.0');
  const cut = log.samples.filter((s) => s.cut);
  assert.deepEqual(cut.map((s) => [s.delivery, s.bytes, s.phase, s.t]), [[0, 100, 'delivered', 42], [1, 24_036, 'transferring', 42]]);
  assert.equal(new OtaProgressLog(() => 0).atCut(), '', 'nothing in flight: no place to name');
});

void test('outside Playwright a phase is just its body and an outcome is nothing', async () => {
  const renamed: string[] = [];
  const v = await phase('install baseline 1.0.0', async (step) => {
    await step.rename('install baseline 1.0.0 (done)');
    renamed.push('ran');
    return 7;
  });
  assert.equal(v, 7);
  assert.deepEqual(renamed, ['ran']);
  await outcome('verdict', false);
  await assert.rejects(phase('failing', () => Promise.reject(new Error('boom'))), /boom/);
});
