// Board locks across real processes: a holder in a child process, killed, frozen or alive.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { acquireBoardLock, BoardLockError, readBoardLock } from '../../harness/locks/board-lock.ts';

const CHILD = path.join(import.meta.dirname, 'holder-child.ts');

async function holder(dir: string, board: string, leaseMs = 30_000): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, board, String(leaseMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('held ')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`holder exited (${code}) before taking the lock`)));
  });
  return child;
}

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
const newDir = () => mkdtempSync(path.join(tmpdir(), 'ota-hil-locks-'));

// Each case has its own lock dir, board and holder: side by side, their holders start together.
describe('board locks', { concurrency: true }, () => {
  test('a live holder: the second run waits, bounded, then fails naming the holder', async () => {
    const dir = newDir();
    const child = await holder(dir, 'esp32-a');
    const logs: string[] = [];
    try {
      const t0 = performance.now();
      const err = await acquireBoardLock('esp32-a', { dir, waitMs: 700, pollMs: 50, log: (l) => logs.push(l) }).then(
        () => assert.fail('took a board a live process holds'),
        (e: unknown) => e,
      );
      const waited = performance.now() - t0;
      assert.ok(err instanceof BoardLockError);
      assert.match(err.message, new RegExp(`board esp32-a is in use by pid ${child.pid} on ${hostname()} \\(since .*"holder-child esp32-a"\\); waited 0\\.7 s`));
      assert.ok(waited >= 690 && waited < 3000, `waited ${waited} ms`);
      assert.deepEqual(logs, [`board esp32-a: in use by pid ${child.pid} on ${hostname()} (since ${err.holder.startedAt}, "holder-child esp32-a"); waiting up to 0.7 s`]);
      // Without waiting: fails at once.
      await assert.rejects(acquireBoardLock('esp32-a', { dir, log: () => undefined }), /in use by pid/);
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  test('SIGKILLed holder: the next run takes the lock over, with a message naming the old holder', async () => {
    const dir = newDir();
    const child = await holder(dir, 'nrf52-b');
    child.kill('SIGKILL');
    await exited(child);
    const logs: string[] = [];
    const lock = await acquireBoardLock('nrf52-b', { dir, log: (l) => logs.push(l) });
    try {
      assert.match(lock.takeover ?? '', new RegExp(`^board nrf52-b: took over the lock of pid ${child.pid} on ${hostname()} \\(since .*"holder-child nrf52-b"\\): its process ${child.pid} (is gone|has exited)$`));
      assert.deepEqual(logs, [lock.takeover]);
      assert.equal(readBoardLock('nrf52-b', dir)?.pid, process.pid);
    } finally {
      lock.releaseSync();
    }
    assert.equal(existsSync(lock.file), false, 'released: the file is gone');
  });

  test('a holder that exits normally releases; a waiting run then gets the board without a takeover', async () => {
    const dir = newDir();
    const child = await holder(dir, 'stm32-c');
    setTimeout(() => child.kill('SIGTERM'), 300);
    const logs: string[] = [];
    const lock = await acquireBoardLock('stm32-c', { dir, waitMs: 10_000, pollMs: 50, log: (l) => logs.push(l) });
    lock.releaseSync();
    assert.equal(lock.takeover, undefined);
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /in use by pid .*; waiting up to 10\.0 s/);
  });

  test('a frozen holder keeps its pid but not its lease: taken over once the lease runs out', async () => {
    const dir = newDir();
    const child = await holder(dir, 'rp2040-d', 600);
    try {
      // While it runs it renews: well past one lease, it still holds the board.
      await new Promise((r) => setTimeout(r, 900));
      await assert.rejects(acquireBoardLock('rp2040-d', { dir, log: () => undefined }), /in use by pid/);
      child.kill('SIGSTOP'); // a hung run: alive, renewing nothing
      const lock = await acquireBoardLock('rp2040-d', { dir, waitMs: 5000, pollMs: 50, log: () => undefined });
      assert.match(lock.takeover ?? '', new RegExp(`took over the lock of pid ${child.pid} .*: its lease ran out \\d+\\.\\d s ago`));
      lock.releaseSync();
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  test('a lock from another host is judged by its lease only; an unreadable file does not block forever', async () => {
    const dir = newDir();
    const foreign = { board: 'imx-e', pid: process.pid, host: 'other-rig-host', startedAt: '2024-05-01T10:00:00.000Z', leaseUntil: Date.now() + 60_000, what: 'playwright test', token: 'abc' };
    writeFileSync(path.join(dir, 'imx-e.lock'), JSON.stringify(foreign));
    await assert.rejects(acquireBoardLock('imx-e', { dir, log: () => undefined }), /in use by pid \d+ on other-rig-host/);
    writeFileSync(path.join(dir, 'imx-e.lock'), JSON.stringify({ ...foreign, leaseUntil: Date.now() - 5000 }));
    const lock = await acquireBoardLock('imx-e', { dir, log: () => undefined });
    assert.match(lock.takeover!, /took over the lock of pid \d+ on other-rig-host .*its lease ran out 5\.\d s ago/);
    lock.releaseSync();
    writeFileSync(path.join(dir, 'imx-e.lock'), '{"half');
    const again = await acquireBoardLock('imx-e', { dir, log: () => undefined });
    assert.match(again.takeover!, /unreadable lock file/);
    assert.equal(JSON.parse(readFileSync(again.file, 'utf8')).pid, process.pid);
    again.releaseSync();
  });

  test('a holder whose lock was taken over notices at its next renewal', async () => {
    const dir = newDir();
    const logs: string[] = [];
    const lock = await acquireBoardLock('esp8266-f', { dir, leaseMs: 150, log: (l) => logs.push(l) });
    const other = { ...lock.info, pid: 1, host: 'other-rig-host', token: 'theirs' };
    writeFileSync(lock.file, JSON.stringify(other));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(lock.lost, 'taken over by pid 1 on other-rig-host (since ' + other.startedAt + `, ${JSON.stringify(other.what)})`);
    lock.releaseSync();
    assert.equal(readBoardLock('esp8266-f', dir)?.token, 'theirs', "release does not remove someone else's lock");
  });
});
