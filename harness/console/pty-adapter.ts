// A USB-serial adapter for simulated boards and tests: a pseudo-terminal pair whose harness end
// sits behind a stable link (as udev's /dev/serial/by-id link does). unplug() makes the port
// vanish the way a board-powered adapter does at a power cut; plug() brings it back as a new pair
// under a new /dev/pts path and repoints the link.
//
// The pair and the relay between its ends are a small Python program's (pty-adapter-py.ts): bytes one side sends wait in the
// adapter until the other side's port is open and set up (its opener's flush), so neither the
// harness's open nor the board's loses what was sent before it: the adapter's receive FIFO, and
// no serial-open race. An end that nobody has open keeps the adapter (as a real one stays when
// the host closes the port for a flashing tool).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ADAPTER_PY } from './pty-adapter-py.ts';

export interface PtyPlug {
  /** Where the device side opens its end. */
  device: string;
  /** The harness end's device node (/dev/pts/N); the stable link points here. */
  harness: string;
}

const live = new Set<ChildProcess>();
let exitHook = false;

export class PtyAdapter {
  private proc: ChildProcess | undefined;
  /** Callers waiting for the helper's next reply lines, in order. */
  private replies: Array<(line: string | Error) => void> = [];
  current: PtyPlug | undefined;

  /** `link`: the stable link to maintain. */
  constructor(
    readonly link: string,
    private readonly name = 'adapter',
  ) {
    mkdirSync(path.dirname(link), { recursive: true });
    if (!exitHook) {
      exitHook = true;
      // A worker that exits without closing its boards: end the helpers now, not at their EOF.
      process.on('exit', () => live.forEach((p) => p.kill('SIGTERM')));
    }
  }

  get plugged(): boolean {
    return this.current !== undefined;
  }

  /** `timeoutMs` guards the helper's start (python3 under a loaded CI host takes seconds) and its reply. */
  async plug(timeoutMs = 30_000): Promise<PtyPlug> {
    if (this.current) return this.current;
    let timer: NodeJS.Timeout | undefined;
    const reply = await Promise.race([
      this.ask('plug'),
      new Promise<Error>((resolve) => (timer = setTimeout(() => resolve(new Error(`made no pseudo-terminal pair within ${timeoutMs} ms`)), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    const m = typeof reply === 'string' ? /^plugged (\S+) (\S+)$/.exec(reply) : null;
    if (!m) {
      this.stop(); // its replies may be out of step now: the next plug starts afresh
      throw new Error(`${this.name}: simulated USB-serial adapter: ${typeof reply === 'string' ? reply : reply.message}`);
    }
    // Atomic repoint, as udev replaces a link: never a moment with a half-made one.
    const tmp = `${this.link}.${process.pid}.new`;
    rmSync(tmp, { force: true });
    symlinkSync(m[2]!, tmp);
    renameSync(tmp, this.link);
    this.current = { device: m[1]!, harness: m[2]! };
    return this.current;
  }

  /** The adapter loses power: its ttys go away and udev drops the link. */
  unplug(): void {
    if (this.current) void this.ask('unplug');
    this.current = undefined;
    rmSync(this.link, { force: true });
  }

  close(): void {
    this.unplug();
    this.stop();
  }

  private ask(cmd: string): Promise<string | Error> {
    const proc = this.proc ?? this.start();
    return new Promise((resolve) => {
      this.replies.push(resolve);
      proc.stdin!.write(`${cmd}\n`);
    });
  }

  private start(): ChildProcess {
    // The link in its arguments only names it in process listings. Its stdin is the tether: at
    // our exit, however we end (SIGKILL too), it reads EOF and ends, and the ttys go with it.
    const proc = spawn('python3', ['-S', '-c', ADAPTER_PY, 'pty-adapter', this.link], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let out = '';
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    proc.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n')) {
        const line = out.slice(0, i);
        out = out.slice(i + 1);
        this.replies.shift()?.(line);
      }
    });
    const gone = (why: string) => {
      live.delete(proc);
      if (this.proc !== proc) return;
      this.proc = undefined;
      this.current = undefined;
      for (const r of this.replies.splice(0)) r(new Error(why));
    };
    proc.once('exit', (code, sig) => gone(`its helper exited (${sig ?? code})${stderr ? `: ${stderr.trim()}` : ''}`));
    proc.once('error', (e) => gone(`cannot run python3: ${e.message} (apt-get install python3)`));
    proc.stdin.on('error', () => undefined);
    // Neither the helper nor its pipes keep the harness alive.
    for (const s of [proc.stdin, proc.stdout, proc.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    proc.unref();
    live.add(proc);
    this.proc = proc;
    return proc;
  }

  private stop(): void {
    const p = this.proc;
    if (!p) return;
    this.proc = undefined;
    this.current = undefined;
    for (const r of this.replies.splice(0)) r(new Error('stopped'));
    live.delete(p);
    p.stdin?.destroy();
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  }
}
