// `ota-hil sim serve`: a simulated board standalone, driven as a firmware developer would: curl
// -F to the /update it prints, its console on the printed pseudo-terminal, power by typed command
// and signal, and a clean stop on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPortStream } from '@serialport/stream';
import { autoDetect } from '@serialport/bindings-cpp';
import { loadRig } from '../../harness/rig/load.ts';
import { loadImages } from '../../harness/fixtures/images.ts';
import { hasSocat } from '../helpers/pty.ts';
import { otaHil } from '../helpers/ota-hil.ts';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '..', '..');
const BOARD = 'esp-idf-1';

// A process of its own: it is stopped by a signal and driven through its standard input.
test('sim serve: curl -F updates the board, the pty carries its console, SIGTERM stops it', { skip: !hasSocat() && 'socat is not installed', timeout: 60_000 }, async () => {
  const rig = loadRig(path.join(root, 'rigs', 'sim.json'));
  const board = rig.boards.find((b) => b.name === BOARD);
  assert.ok(board, `rigs/sim.json has ${BOARD}`);
  const fw = path.join(mkdtempSync(path.join(tmpdir(), 'ota-hil-serve-')), 'fw.bin');
  writeFileSync(fw, (await loadImages(rig, board)).candidate!.bytes);

  const child = spawn(process.execPath, [path.join(root, 'bin', 'ota-hil.mjs'), 'sim', 'serve', '--rig', path.join(root, 'rigs', 'sim.json'), '--board', BOARD], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Each wait ends on the output it waits for (checked as each chunk comes) or when the process is
  // gone; the guard only turns a hang into a message before the test's own timeout.
  const waitFor = <T>(streams: NodeJS.EventEmitter[], probe: () => T | undefined, what: () => string) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v !== undefined) finish(() => resolve(v));
      };
      const gone = () => finish(() => reject(new Error(`ota-hil sim serve exited before ${what()}`)));
      const guard = setTimeout(() => finish(() => reject(new Error(`no ${what()} within 45 s`))), 45_000);
      const finish = (then: () => void) => {
        clearTimeout(guard);
        for (const s of streams) s.off('data', check);
        child.off('close', gone);
        then();
      };
      for (const s of streams) s.on('data', check);
      child.once('close', gone);
      check();
    });
  const waitOut = (re: RegExp, from = 0) =>
    waitFor([child.stdout, child.stderr], () => re.exec(out.slice(from)) ?? undefined, () => `${re} in:\n${out}`);
  let console: SerialPortStream | null = null;
  try {
    const pty = (await waitOut(/console: (\/dev\/pts\/\d+)/))[1]!;
    console = new SerialPortStream({ binding: autoDetect(), path: pty, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => console!.open((e) => (e ? reject(e) : resolve())));
    let text = '';
    console.on('data', (b: Buffer) => (text += b.toString('latin1')));
    const url = (await waitOut(/http-push: curl -F file=@fw\.bin (http:\S+)/))[1]!;
    const { stdout } = await run('curl', ['-sS', '-F', `file=@${fw}`, url], { timeout: 20_000 });
    assert.match(stdout, /Update applied, finalizing|Update Success/);
    await waitFor([console], () => (/App version:\s+1\.1\.0/.test(text) ? true : undefined), () => `the new image booting on the console:\n${text}`);
    assert.match(text, /App version:\s+1\.1\.0/, 'the console on the pty shows the new image booting');

    const mark = out.length;
    child.stdin.write('off\n');
    await waitOut(/\[sim\] power off/, mark);
    child.kill('SIGUSR2');
    await waitOut(/\[sim\] power on/, mark);

    child.kill('SIGTERM');
    assert.equal(await exited, 0, out);
    assert.match(out, /\[sim\] stopping \(SIGTERM\)\n\[sim\] stopped\n$/);
    const link = /\(also (\S+)\)/.exec(out)![1]!;
    assert.equal(existsSync(link), false, 'the pty link is removed');
  } finally {
    await new Promise<void>((r) => (console?.isOpen ? console.close(() => r()) : r()));
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

// main() in this process (test/helpers/ota-hil.ts): it fails before any pty, port or signal handler.
test('sim serve: an unknown board is a clear error', async () => {
  const r = await otaHil(['sim', 'serve', '--rig', path.join(root, 'rigs', 'sim.json'), '--board', 'nope']);
  assert.equal(r.status, 1);
  assert.match(r.err, /no board named "nope"/);
});
