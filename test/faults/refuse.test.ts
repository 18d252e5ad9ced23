// A plan a board cannot carry out is refused before anything happens to the board, naming the
// board and the plan step: a flash-operation cut on hardware, a connection drop on a transport
// that cannot drop one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Board } from '../../harness/fixtures/board.ts';
import type { BoardConfig } from '../../harness/rig/schema.ts';
import { PlanRefused, runPlan } from '../../harness/faults/run-plan.ts';
import { promisesOf } from '../../harness/fixtures/promises.ts';

/** A hardware board whose every part fails loudly if the runner touched it. */
function hardwareBoard(transport: BoardConfig['transport']): Board {
  const touched = () => {
    throw new Error('the runner touched the board before refusing the plan');
  };
  const image = (version: string) => ({ name: version, version, bytes: new Uint8Array(1000), corrupted: touched });
  return {
    name: 'esp32-bench-3',
    stack: 'esp-idf',
    promises: promisesOf('esp-idf'),
    sim: undefined,
    config: { name: 'esp32-bench-3', stack: 'esp-idf', power: { kind: 'hid-relay', channel: 2 }, transport } as BoardConfig,
    images: { baseline: image('1.0.0'), candidate: image('1.1.0') },
    install: touched,
    power: { cut: touched, restore: touched, cycle: touched },
    ota: { start: touched },
    console: { send: touched, lines: [] },
  } as unknown as Board;
}

const httpPull: BoardConfig['transport'] = { kind: 'http-pull', trigger: { consoleCommand: 'ota {url}' } };

test('a flash-operation cut on a hardware board is refused, naming the board and the step', async () => {
  const board = hardwareBoard(httpPull);
  await assert.rejects(
    runPlan(board, { name: 'torn trailer', cuts: [{ kind: 'console', pattern: 'Starting', delayMs: 5 }, { kind: 'flash-op', op: 412, torn: true }] }),
    (e: Error) => {
      assert.ok(e instanceof PlanRefused, String(e));
      assert.equal(
        e.message,
        'board esp32-bench-3 is real hardware (power: hid-relay); fault plan "torn trailer" cannot run on it:\n' +
          '  step cuts/1 (cut torn during flash operation 412 (50% done)) needs a simulated board: only the simulator can stop at a flash operation',
      );
      return true;
    },
  );
});

test('the same plan without the sim-only step gets past the check (and reaches the board)', async () => {
  const board = hardwareBoard(httpPull);
  await assert.rejects(runPlan(board, { name: 'console cut', cuts: [{ kind: 'console', pattern: 'Starting', delayMs: 5 }] }), /touched the board/);
});

test('network faults a transport cannot make are refused; a stall on it is held by the harness', async () => {
  const board = hardwareBoard({ kind: 'smp' });
  await assert.rejects(runPlan(board, { name: 'flaky link', network: { drop: { fraction: 0.3 }, corrupt: { bytes: 10 }, stall: { fraction: 0.5, ms: 100 } } }), (e: Error) => {
    assert.ok(e instanceof PlanRefused);
    assert.match(e.message, /fault plan "flaky link" cannot run on it:\n  network\/drop: transport smp has no way to drop the connection mid-transfer\n  network\/corrupt: transport smp cannot corrupt bytes in transit$/);
    return true;
  });
});

test('an http-pull board opened without the plan\'s faults is told how to get them', async () => {
  const board = hardwareBoard(httpPull);
  await assert.rejects(runPlan(board, { name: 'drop', network: { drop: { bytes: 500 } } }), /network: the board was opened without these http-pull faults \(dropAtByte=500, times=1\); open it with test\.use\(\{ faultPlan \}\)/);
});

test('an image the rig does not have is named', async () => {
  await assert.rejects(runPlan(hardwareBoard(httpPull), { name: 'x', image: 'nightly' }), /fault plan "x" names image "nightly", which board esp32-bench-3's rig does not have \(has: baseline, candidate\)/);
});
