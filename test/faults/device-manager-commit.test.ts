// The device-manager commit (Zerynth-style) acknowledges only once: the board prints
// "zfota: accepted" on the one connection that makes its firmware permanent. A cut right after
// that line leaves a committed candidate that boots 'normal'; recovery must not run the commit
// step again and wait for an acknowledgement that cannot come (the README's former open finding
// "zerynth-1 sampled cuts: commit not acknowledged after a boot cut", a harness bug).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRig, type Rig } from '../../harness/rig/load.ts';
import { runPlan } from '../../harness/faults/run-plan.ts';
import { withBoard } from './helpers.ts';

function zerynthRig(): Rig {
  const name = `dm-commit-${process.pid}`;
  return validateRig(
    {
      name: 'dm-commit',
      images: {
        baseline: { version: '1.0.0', sim: { boot: 'ok', confirm: 'self', size: 16000 } },
        candidate: { version: '1.1.0', sim: { boot: 'ok', confirm: 'wait', size: 20000 } },
      },
      boards: [
        {
          name,
          stack: 'zerynth',
          console: { port: { sim: true } },
          power: { kind: 'sim' },
          transport: { kind: 'http-pull', trigger: { consoleCommand: 'fota {url}' } },
          install: { kind: 'sim-flash' },
          commit: { kind: 'device-manager' },
          sim: { slotSize: 32768, sectorSize: 4096, writeSize: 4, timeScale: 100 },
        },
      ],
    },
    `<device-manager commit test rig ${name}>`,
  );
}

test('a cut right after the device manager accepted the candidate: it boots committed, and no second commit is awaited', async () => {
  await withBoard(zerynthRig(), async (board) => {
    const r = await runPlan(board, { name: 'cut after accept', cuts: [{ kind: 'console', pattern: '^zfota: accepted', delayMs: 0 }] });
    assert.deepEqual(r.cuts.map((c) => c.fired), [true], r.summary);
    assert.equal(r.recovery.outcome, 'candidate', r.summary);
    assert.match(r.recovery.boots[0]!, /1\.1\.0 .*\(event normal\)/, r.summary);
    assert.doesNotMatch(r.recovery.detail, /commit step run/, r.summary);
  });
});
