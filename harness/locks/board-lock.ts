// Exclusive use of a board across processes on the rig host: one lock file per board, created
// atomically (link() of a complete file, so nobody ever reads half a lock), naming its holder
// (pid, host, start time, command) and a lease the holder renews while it runs.
// A lock whose holder died (pid gone, or reused by another program) or whose lease ran out (a
// frozen run, a holder on another host) is taken over, saying whose it was. Otherwise the
// next run waits, bounded, and then fails naming the holder. A cancelled CI job that was
// SIGKILLed therefore never leaves a board locked for longer than it takes to notice.
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { inPlaywrightWorker } from '../power/safe-state.ts';

export interface LockHolder {
  board: string;
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  startedAt: string;
  /** Epoch ms until which the lock is valid unless renewed. */
  leaseUntil: number;
  /** What holds it: the command line, or what the caller says. */
  what: string;
  /** Identifies this one holding (a pid can take the same board twice in a row). */
  token: string;
  /** /proc start time of the holder, to tell a reused pid from the holder. */
  procStart?: string;
}

export interface BoardLockOptions {
  /** Directory of the lock files (default lockDir()). */
  dir?: string;
  /** How long a lock stays valid without renewal, ms; renewed every third of it. */
  leaseMs?: number;
  /** How long to wait for a live holder before failing, ms (0: fail at once). */
  waitMs?: number;
  pollMs?: number;
  /** Takeovers, waits and lost locks are reported here (default stderr). */
  log?: (line: string) => void;
  what?: string;
}

export class BoardLockError extends Error {
  constructor(
    message: string,
    readonly holder: LockHolder,
  ) {
    super(message);
    this.name = 'BoardLockError';
  }
}

/** OTA_HIL_LOCK_DIR, else $XDG_RUNTIME_DIR/ota-hil (per user, cleared at boot), else /tmp/ota-hil-locks. */
export function lockDir(): string {
  if (process.env.OTA_HIL_LOCK_DIR) return process.env.OTA_HIL_LOCK_DIR;
  if (process.env.XDG_RUNTIME_DIR) return path.join(process.env.XDG_RUNTIME_DIR, 'ota-hil');
  return path.join(tmpdir(), 'ota-hil-locks');
}

const lockFile = (dir: string, board: string) => path.join(dir, `${board.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host} (since ${h.startedAt}, ${JSON.stringify(h.what)})`;
}

/** The current holder of a board's lock, if any (for `ota-hil` commands that only look). */
export function readBoardLock(board: string, dir = lockDir()): LockHolder | undefined {
  return readHolder(lockFile(dir, board));
}

export class BoardLock {
  /** Set when this lock was taken over from a dead or expired holder: what happened, for the log. */
  readonly takeover: string | undefined;
  /** Set when another process took the lock away (this one failed to renew in time). */
  lost: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onExit = () => this.releaseSync();

  constructor(
    readonly board: string,
    readonly file: string,
    private holder: LockHolder,
    private readonly leaseMs: number,
    private readonly log: (line: string) => void,
    takeover: string | undefined,
  ) {
    this.takeover = takeover;
    this.timer = setInterval(() => this.renew(), Math.max(10, Math.floor(leaseMs / 3)));
    this.timer.unref();
    process.on('exit', this.onExit);
  }

  get info(): LockHolder {
    return { ...this.holder };
  }

  private renew(): void {
    const now = readHolder(this.file);
    if (now?.token !== this.holder.token) {
      this.stop();
      this.lost = now ? `taken over by ${describeHolder(now)}` : 'its lock file was removed';
      this.log(`board ${this.board}: this run's lock was ${this.lost}`);
      return;
    }
    this.holder = { ...this.holder, leaseUntil: Date.now() + this.leaseMs };
    const tmp = `${this.file}.${this.holder.token}.renew`;
    try {
      writeFileExclusive(tmp, this.holder);
      renameSync(tmp, this.file); // atomic: readers see the old lease or the new one
    } catch (e) {
      this.log(`board ${this.board}: cannot renew the lock ${this.file}: ${(e as Error).message}`);
      tryUnlink(tmp);
    }
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    process.off('exit', this.onExit);
  }

  /** Give the board up; removes the file only if it is still this holder's. */
  releaseSync(): void {
    this.stop();
    if (readHolder(this.file)?.token === this.holder.token) tryUnlink(this.file);
  }

  release(): Promise<void> {
    this.releaseSync();
    return Promise.resolve();
  }
}

export async function acquireBoardLock(board: string, opts: BoardLockOptions = {}): Promise<BoardLock> {
  const dir = opts.dir ?? lockDir();
  const leaseMs = opts.leaseMs ?? 30_000;
  const waitMs = opts.waitMs ?? 0;
  const pollMs = opts.pollMs ?? 200;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  mkdirSync(dir, { recursive: true });
  const file = lockFile(dir, board);
  const token = randomBytes(8).toString('hex');
  const deadline = Date.now() + waitMs;
  let takeover: string | undefined;
  let announced = false;
  for (;;) {
    const me: LockHolder = {
      board,
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      leaseUntil: Date.now() + leaseMs,
      what: opts.what ?? commandLine(),
      token,
      procStart: procStart(process.pid),
    };
    if (tryCreate(file, me)) return new BoardLock(board, file, me, leaseMs, log, takeover);
    const holder = readHolder(file);
    if (!holder) continue; // released between our try and our look, or unreadable and removed
    const why = staleness(holder);
    if (why) {
      if (takeOver(file, holder)) {
        takeover = `board ${board}: took over the lock of ${describeHolder(holder)}: ${why}`;
        log(takeover);
      }
      continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const waited = waitMs > 0 ? `; waited ${(waitMs / 1000).toFixed(1)} s` : '';
      throw new BoardLockError(`board ${board} is in use by ${describeHolder(holder)}${waited} (lock file ${file})`, holder);
    }
    if (!announced) {
      announced = true;
      log(`board ${board}: in use by ${describeHolder(holder)}; waiting up to ${(waitMs / 1000).toFixed(1)} s`);
    }
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
}

/** Why the holder no longer counts, or undefined while it does. */
function staleness(h: LockHolder): string | undefined {
  // A pid means something only on its own host (and pid namespace: containers get own hostnames).
  if (h.host === hostname()) {
    const state = procState(h.pid);
    if (state === 'gone') return `its process ${h.pid} is gone`;
    if (state === 'zombie') return `its process ${h.pid} has exited`;
    const start = procStart(h.pid);
    if (h.procStart && start && start !== h.procStart) return `pid ${h.pid} now belongs to another program`;
  }
  const over = Date.now() - h.leaseUntil;
  if (over > 0) return `its lease ran out ${(over / 1000).toFixed(1)} s ago (a frozen run, or a holder on another host)`;
  return undefined;
}

/** Move the stale file aside; only if it is still the one we judged (another taker may be faster). */
function takeOver(file: string, stale: LockHolder): boolean {
  const grave = `${file}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(file, grave);
  } catch {
    return false; // gone already: someone else took it over or it was released
  }
  const moved = readHolder(grave);
  if (moved?.token !== stale.token) {
    // We moved a fresh lock by mistake: put it back unless someone has already taken the place.
    try {
      linkSync(grave, file);
    } catch {
      // its holder will notice at its next renewal that the lock is gone
    }
    tryUnlink(grave);
    return false;
  }
  tryUnlink(grave);
  return true;
}

function tryCreate(file: string, me: LockHolder): boolean {
  const tmp = `${file}.${me.token}.new`;
  writeFileExclusive(tmp, me);
  try {
    linkSync(tmp, file); // fails with EEXIST if anyone holds it: the atomic step
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`cannot create the lock file ${file}: ${(e as Error).message}`);
  } finally {
    tryUnlink(tmp);
  }
}

function writeFileExclusive(file: string, data: LockHolder): void {
  const fd = openSync(file, 'w', 0o644);
  try {
    writeSync(fd, JSON.stringify(data) + '\n');
  } finally {
    closeSync(fd);
  }
}

function readHolder(file: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    if (typeof h.pid === 'number' && typeof h.token === 'string') return h;
  } catch {
    // fall through
  }
  // Not ours to make sense of, but it must not block a board forever: expired, unnamed holder.
  return { board: path.basename(file), pid: 0, host: '?', startedAt: '?', leaseUntil: 0, what: `unreadable lock file ${file}`, token: `unreadable:${text.length}` };
}

function procState(pid: number): 'alive' | 'gone' | 'zombie' {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'gone';
  }
  // A killed child not yet reaped by its parent still answers kill(0).
  const stat = procStat(pid);
  return stat?.[0] === 'Z' ? 'zombie' : 'alive';
}

/** Fields of /proc/<pid>/stat after the command name (state first); undefined off Linux. */
function procStat(pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function procStart(pid: number): string | undefined {
  return procStat(pid)?.[19]; // field 22 of the whole line: starttime
}

function commandLine(): string {
  const short = (args: string[]) => {
    const line = args.map((a) => path.basename(a)).join(' ');
    return line.length > 120 ? `${line.slice(0, 117)}...` : line;
  };
  // A Playwright worker's own argv says only "workerProcessEntry.js": name the run that started it.
  if (!inPlaywrightWorker()) return short(process.argv.slice(1));
  const worker = process.env.TEST_WORKER_INDEX!;
  let run = '';
  try {
    run = short(readFileSync(`/proc/${process.ppid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1));
  } catch {
    // not Linux, or the parent is gone: the pid still names it
  }
  return `playwright worker ${worker} of pid ${process.ppid}${run ? ` (${run})` : ''}`;
}

function tryUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/**
 * Lock options a run takes from its environment: OTA_HIL_LOCK_DIR, _WAIT_MS, _LEASE_MS. Without
 * _WAIT_MS a test waits 60 s, or its own timeout if longer (`testTimeoutMs`): a real board that is
 * in two projects of one run (a user's testDir and the stock scenarios) is held test by test, so a
 * test may have to wait out one whole test of the other project.
 */
export function lockOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, testTimeoutMs = 0): BoardLockOptions {
  const ms = (v: string | undefined, dflt: number) => (v && Number.isFinite(Number(v)) && Number(v) >= 0 ? Number(v) : dflt);
  return { dir: env.OTA_HIL_LOCK_DIR || undefined, waitMs: ms(env.OTA_HIL_LOCK_WAIT_MS, Math.max(60_000, testTimeoutMs)), leaseMs: ms(env.OTA_HIL_LOCK_LEASE_MS, 30_000) || 30_000 };
}
