// `ota-hil sim ops` on the two shipped MCUboot example rigs prints real MCUboot v2.4's operation
// counts at that layout (measured on unmodified bootutil: scratch 96 / 190 / 191, move 96 / 186 /
// 191); `sim serve --help` prints help instead of starting a board. (main() in this process:
// test/helpers/ota-hil.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { otaHil } from '../helpers/ota-hil.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = async (...args: string[]) => {
  const r = await otaHil(args.map((a) => (a.startsWith('rigs/') ? path.join(root, a) : a)));
  return { status: r.status, stdout: r.out, stderr: r.err };
};

for (const [rig, board, swap, revert] of [
  ['rigs/examples/mcuboot-scratch-64k.json', 'mcuboot-scratch', 190, 191],
  ['rigs/examples/mcuboot-move-64k.json', 'mcuboot-move', 186, 191],
] as const) {
  test(`sim ops ${board}: download 96, swap ${swap}, revert ${revert}, as real MCUboot`, async () => {
    const r = await run('sim', 'ops', rig, board, '--json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual([report.phases.download, report.phases.swap, report.phases.revert], [96, swap, revert]);
    assert.deepEqual(
      report.windows.map((w: { phase: string; fromOp: number; toOp: number }) => [w.phase, w.fromOp, w.toOp]),
      [['download', 1, 96], ['swap', 97, 96 + swap], ['revert', 97 + swap, 96 + swap + revert]],
    );
    const table = await run('sim', 'ops', rig, board);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`^swap\\s+${swap}\\s`, 'm'));
  });
}

test('sim ops: a missing board is named; sim serve --help prints help and starts nothing', async () => {
  const bad = await run('sim', 'ops', 'rigs/examples/mcuboot-move-64k.json', 'nope');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /no board named "nope" \(boards: mcuboot-move\)/);
  const help = await run('sim', 'serve', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: ota-hil sim serve/);
  assert.doesNotMatch(help.stdout, /\[sim\] board/);
});
