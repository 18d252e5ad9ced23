// Board.open holds a real board's lock: a second run waits (bounded) and fails naming the first;
// after the first is SIGKILLed mid-run, the next Board.open takes the lock over and says so in
// the console log. The board is "real" as far as the harness knows: its console a pseudo-terminal
// behind a by-id link (under OTA_HIL_SERIAL_ROOT), its power and install commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { loadRig } from '../../harness/rig/load.ts';
import { Board } from '../../harness/fixtures/board.ts';
import { readBoardLock } from '../../harness/locks/board-lock.ts';
import { hasSocat } from '../helpers/pty.ts';
import { adapterUnderRoot, DeviceEnd } from '../console/device-end.ts';

const skip = hasSocat() ? false : 'socat is not installed (apt-get install socat)';
const CHILD = path.join(import.meta.dirname, 'board-child.ts');

function rigFile(byId: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-rig-'));
  writeFileSync(path.join(dir, 'base.bin'), Buffer.alloc(1024, 0xe9));
  const rig = {
    name: 'bench',
    images: { baseline: { version: '1.0.0', file: 'base.bin' } },
    boards: [
      {
        name: 'esp32-bench',
        stack: 'esp-idf',
        console: { port: { byId } },
        power: { kind: 'command', on: ['true'], off: ['true'] },
        transport: { kind: 'command', command: ['true', '{image}'] },
        install: { kind: 'command', command: ['true', '{image}'] },
      },
    ],
  };
  const file = path.join(dir, 'rig.json');
  writeFileSync(file, JSON.stringify(rig));
  return file;
}

async function startRun(rig: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, rig], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => (b.toString().includes('opened') ? resolve() : undefined));
    child.once('exit', (code) => reject(new Error(`the first run exited (${code}) before opening the board`)));
  });
  return child;
}

test('a run SIGKILLed mid-scenario: the next run waits for nobody, takes the lock over and logs it', { skip }, async () => {
  const { root, byId, adapter } = adapterUnderRoot('usb-Espressif_USB_JTAG_serial_debug_unit_F4:12:FA:00:11:22-if00');
  const dev = await DeviceEnd.open((await adapter.plug()).device);
  const lockDir = mkdtempSync(path.join(tmpdir(), 'ota-hil-locks-'));
  const env = { ...process.env, OTA_HIL_LOCK_DIR: lockDir, OTA_HIL_SERIAL_ROOT: root, OTA_HIL_LOCK_WAIT_MS: '600' };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const rig = loadRig(rigFile(byId));
  let board: Board | undefined;
  const first = await startRun(rig.file, env);
  try {
    assert.equal(readBoardLock('esp32-bench', lockDir)?.pid, first.pid);
    // While the first run lives: wait 0.6 s, then fail naming it.
    const t0 = performance.now();
    await assert.rejects(Board.open(rig, rig.boards[0]!), new RegExp(`board esp32-bench is in use by pid ${first.pid} on ${hostname()} \\(since [^)]*board-child\\.ts [^)]*\\); waited 0\\.6 s`));
    assert.ok(performance.now() - t0 >= 590);

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    board = await Board.open(rig, rig.boards[0]!);
    const note = board.console.events.find((e) => e.text.includes('took over'));
    assert.match(note?.text ?? board.console.transcript(), new RegExp(`^board esp32-bench: took over the lock of pid ${first.pid} on ${hostname()} .*: its process ${first.pid} (is gone|has exited)$`));
    assert.equal(readBoardLock('esp32-bench', lockDir)?.pid, process.pid);
    const file = path.join(lockDir, 'esp32-bench.lock');
    await board.close();
    board = undefined;
    assert.equal(existsSync(file), false, 'Board.close gives the board up');
  } finally {
    first.kill('SIGKILL');
    await board?.close();
    process.env = saved;
    await dev.close();
    adapter.close();
  }
});
