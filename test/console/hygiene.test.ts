// Process hygiene of a run on the pty rig: SIGKILL leaves no adapter helper behind (each one is
// tethered to the harness by its stdin) and the next run removes the dead run's temp folders.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasSocat } from '../helpers/pty.ts';
import { spawnTethered, stopTethered } from '../../harness/console/tether.ts';
import { ownedTempDir, sweepOrphanedTempDirs } from '../../harness/fixtures/temp-dirs.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/pty-board-child.ts', import.meta.url));

/** Live processes whose command line mentions `marker`, as "pid cmd". */
function processesWith(marker: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const state = /^State:\s+(\w)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (cmd.includes(marker) && state !== 'Z') out.push(`${pid} ${cmd}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** Live children of `pid`, as "pid cmd": only what this test started, whatever else runs. */
function childrenOf(pid: number): string[] {
  return processesWith('').filter((p) => {
    try {
      // The fields after the command's closing parenthesis: state, ppid, ...
      const stat = readFileSync(`/proc/${p.split(' ')[0]}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    } catch {
      return false;
    }
  });
}

async function until(probe: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (probe()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return probe();
}

const ours = (pid: number) => readdirSync(tmpdir()).filter((n) => n.startsWith(`ota-hil-sim-${pid}-`));

void describe('process hygiene', { skip: !hasSocat() && 'socat is not installed (apt-get install socat)' }, () => {
  void it('SIGKILL of a run on the pty rig: no adapter helper outlives it; the next run removes its temp folder', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path.join(ROOT, 'rigs/sim-pty.json')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
      child.once('exit', () => reject(new Error(`child exited before it was ready: ${stderr}`)));
    });
    const marker = `ota-hil-sim-${child.pid}-`;
    try {
      const helpers = processesWith(marker).filter((p) => /python3\S* -S -c /.test(p));
      assert.equal(helpers.length, 2, `the board's console adapter and its relay: ${helpers.join('\n')}`);
      assert.equal(ours(child.pid!).length, 1);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const gone = await until(() => processesWith(marker).length === 0, 10_000);
    assert.ok(gone, `left behind after SIGKILL:\n${processesWith(marker).join('\n')}`);

    assert.equal(ours(child.pid!).length, 1, 'a SIGKILLed run cannot remove its own folder');
    sweepOrphanedTempDirs();
    assert.deepEqual(ours(child.pid!), [], 'the next run removes it');
  });

  void it('a tethered program ends when its tether is cut, and on stopTethered', async () => {
    const a = spawnTethered('sleep', ['60'], 'ignore');
    const aExit = new Promise<number | null>((resolve) => a.once('exit', (code) => resolve(code)));
    a.stdin!.end(); // what the kernel does for us when we die
    assert.notEqual(await aExit, 0, 'sleep was ended, not left to finish');
    const b = spawnTethered('sleep', ['60'], 'ignore');
    const bExit = new Promise<void>((resolve) => b.once('exit', () => resolve()));
    // Its own sleep, found as the child of its wrapper shell (others on the machine may sleep too).
    assert.ok(await until(() => childrenOf(b.pid!).some((p) => p.includes('sleep 60')), 10_000), 'the wrapper started sleep');
    const bSleep = Number(childrenOf(b.pid!).find((p) => p.includes('sleep 60'))!.split(' ')[0]);
    stopTethered(b);
    await bExit;
    const gone = () => !processesWith('sleep 60').some((p) => p.startsWith(`${bSleep} `));
    assert.ok(await until(gone, 10_000), `sleep ${bSleep} outlived stopTethered`);
  });

  void it('a process that exits with its folder still made (a run stopped mid-open) removes it at exit', async () => {
    const code = `import { ownedTempDir } from ${JSON.stringify(path.join(ROOT, 'harness/fixtures/temp-dirs.ts'))};\nconsole.log(ownedTempDir('sim', 'mid-open'));\nprocess.exit(0);\n`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const dir = out.trim();
    assert.match(dir, /ota-hil-sim-\d+-mid-open-/);
    assert.ok(!existsSync(dir), `${dir} is left behind`);
  });

  void it("the sweep keeps a live process's folders and removes a dead one's", () => {
    const mine = ownedTempDir('sim', 'keep-me');
    const dead = path.join(tmpdir(), 'ota-hil-sim-2147483646-gone-abc123');
    mkdirSync(dead, { recursive: true });
    const removed = sweepOrphanedTempDirs();
    assert.ok(existsSync(mine));
    assert.ok(!existsSync(dead));
    assert.ok(removed.includes(path.basename(dead)));
    rmSync(mine, { recursive: true });
  });
});
