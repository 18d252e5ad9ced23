// Power-cut sweeps over the Mongoose OS ESP8266 board (Cesanta's rBoot): every flash operation of
// an update, its commit and a revert, clean and torn. rBoot keeps one config sector, rewritten by
// erase + program; a cut there makes rBoot write its default config (rom 0), which on a first
// update is the baseline. The last test shows where that single copy bites.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rbootStack } from '../../harness/sim/stacks/rboot/index.ts';
import { CANDIDATE, cleanup, serve } from './mongoose-helpers.ts';
import { INIT_DONE, baselineUp, update, upFrom } from './mongoose-flows.ts';
import { SWEEP_CONFIG, capture, points, sweep, type Capture, type CutResult, type Target } from './mongoose-sweep-kit.ts';

const target: Target = { stack: rbootStack, config: {}, trialMark: /^Boot is unconfirmed$/m, controlBelow: 0x8000 };
const OLD = '1.0.0';
const NEW = '1.1.0';

let c: Capture;
before(async () => {
  c = await capture(target);
  await cleanup();
});
after(cleanup);

const updateOk = (r: CutResult): boolean =>
  (r.recovery === OLD || (r.recovery === NEW && target.trialMark.test(r.recoveryLog))) && r.after === OLD && r.third === OLD;
const commitOk = (r: CutResult): boolean => [OLD, NEW].includes(r.recovery) && [OLD, NEW].includes(r.after) && r.after === r.third;
const revertOk = (r: CutResult): boolean => r.recovery === OLD && r.after === OLD && r.third === OLD;

test('an update writes rboot_config once (erase + program); commit and revert once more', (t) => {
  t.diagnostic(`update ${c.updateOps} ops (download ${c.downloadOps}), commit ${c.commitOps}, revert ${c.revertOps}`);
  assert.equal(c.commitOps, 2);
  assert.equal(c.updateOps - c.downloadOps, 2 + 2 + 2, 'switch, rBoot counting the attempt, merge (conf9.json, index.html)');
});

test('update: every cut ends on the baseline or a trial of the candidate, then the baseline', async () => {
  const { bad, results } = await sweep(target, c, 'update', points(c.updateOps), updateOk);
  assert.deepEqual(bad, []);
  assert.ok(results.some((r) => r.recovery === NEW) && results.some((r) => r.recovery === OLD));
  // A cut inside rBoot's own config rewrite: no valid config, so rBoot writes its default (rom 0).
  assert.ok(results.some((r) => /Writing default boot config\.\r?\nBooting rom 0/.test(r.recoveryLog)));
});

test('commit: every cut ends settled on one image, never bricked', async () => {
  const { bad, results } = await sweep(target, c, 'commit', points(c.commitOps), commitOk);
  assert.deepEqual(bad, []);
  assert.ok(results.some((r) => r.third === NEW) && results.some((r) => r.third === OLD));
});

test('revert: every cut ends on the baseline', async () => {
  const { bad } = await sweep(target, c, 'revert', points(c.revertOps), revertOk);
  assert.deepEqual(bad, []);
});

test('single config copy: a cut in the switch of a second update (rom1 → rom0) runs the new rom 0 without a trial', async () => {
  // Known rBoot weakness, modelled on purpose: the default config that replaces a torn one names
  // rom 0, and here rom 0 already holds the fully written, not yet committed 1.2.0.
  const board = await baselineUp(rbootStack, SWEEP_CONFIG);
  await upFrom(board, await update(board));
  await board.call('OTA.Commit');
  await board.powerOff();
  const flash = board.device.flash;
  const committed = flash.snapshot(); // 1.1.0 committed in rom1
  const server = await serve(board.image({ ...CANDIDATE, version: '1.2.0' }));
  const second = async (): Promise<void> => {
    board.device.powerOn();
    await board.waitFor(INIT_DONE, board.mark());
    board.send(`OTA.Update ${JSON.stringify({ url: server.url, commit_timeout: 3600 })}`);
  };
  let eraseAt = 0;
  flash.onOp = (op, n) => {
    if (op.kind === 'erase' && op.addr === 0x1000 && !eraseAt) eraseAt = n;
  };
  const m0 = board.mark();
  await second();
  await board.waitFor(/Rebooting in 100 ms/, m0, 10_000);
  flash.onOp = null;
  await board.powerOff();
  assert.ok(eraseAt > committed.counters.ops, 'the update never rewrote rboot_config');
  flash.restore(committed);
  flash.armCut({ atOp: eraseAt + 1 }); // config erased, the new one not yet programmed
  await second();
  await board.waitUnpowered(10_000);
  const m = await board.powerCycle();
  assert.equal(await upFrom(board, m), '1.2.0');
  assert.match(board.since(m), /Writing default boot config\.\r?\nBooting rom 0 \(0x8000\)\./);
  assert.doesNotMatch(board.since(m), /First boot|Arming commit watchdog/);
  assert.match(board.inspect().detail, /rom0 runs, committed/);
});
