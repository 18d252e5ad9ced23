// `ota-hil sim ops` on the two shipped MCUboot example rigs prints real MCUboot v2.4's operation
// counts at that layout (measured on unmodified bootutil: scratch 96 / 190 / 191, move 96 / 186 /
// 191); `sim serve --help` prints help instead of starting a board.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ota-hil.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

for (const [rig, board, swap, revert] of [
  ['rigs/examples/mcuboot-scratch-64k.json', 'mcuboot-scratch', 190, 191],
  ['rigs/examples/mcuboot-move-64k.json', 'mcuboot-move', 186, 191],
] as const) {
  test(`sim ops ${board}: download 96, swap ${swap}, revert ${revert}, as real MCUboot`, () => {
    const r = run('sim', 'ops', rig, board, '--json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual([report.phases.download, report.phases.swap, report.phases.revert], [96, swap, revert]);
    assert.deepEqual(
      report.windows.map((w: { phase: string; fromOp: number; toOp: number }) => [w.phase, w.fromOp, w.toOp]),
      [['download', 1, 96], ['swap', 97, 96 + swap], ['revert', 97 + swap, 96 + swap + revert]],
    );
    const table = run('sim', 'ops', rig, board);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`^swap\\s+${swap}\\s`, 'm'));
  });
}

test('sim ops: a missing board is named; sim serve --help prints help and starts nothing', () => {
  const bad = run('sim', 'ops', 'rigs/examples/mcuboot-move-64k.json', 'nope');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /no board named "nope" \(boards: mcuboot-move\)/);
  const help = run('sim', 'serve', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: ota-hil sim serve/);
  assert.doesNotMatch(help.stdout, /\[sim\] board/);
});
