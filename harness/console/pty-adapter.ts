// A USB-serial adapter played by socat, for simulated boards and tests: a pseudo-terminal pair
// whose harness end sits behind a stable link (as udev's /dev/serial/by-id link does). unplug()
// makes the port vanish the way a board-powered adapter does at a power cut; plug() brings it
// back as a new pair under a new /dev/pts path and repoints the link.
//
// The harness end uses socat's wait-slave: socat moves no byte until someone opens that end.
// This plays the adapter's receive FIFO (and the bytes a real adapter gets only once the host
// opens the port): what the device prints after the port came back waits for the console
// instead of being flushed by the console's open. And ignoreeof: a real adapter stays when the
// host closes the port (the console lets a flashing tool have it); socat would otherwise end the
// pair half a second after the harness end is closed.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { spawnTethered, stopTethered } from './tether.ts';

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
  private gen = 0;
  current: PtyPlug | undefined;

  /** `link`: the stable link to maintain; `dir`: where socat's own links go. */
  constructor(
    readonly link: string,
    private readonly dir: string,
    private readonly name = 'adapter',
  ) {
    mkdirSync(path.dirname(link), { recursive: true });
    mkdirSync(dir, { recursive: true });
    if (!exitHook) {
      exitHook = true;
      // A worker that exits without closing its boards: end socat now, not when the tether notices.
      process.on('exit', () => live.forEach(stopTethered));
    }
  }

  get plugged(): boolean {
    return this.proc !== undefined;
  }

  async plug(timeoutMs = 5000): Promise<PtyPlug> {
    if (this.proc && this.current) return this.current;
    const n = ++this.gen;
    const device = path.join(this.dir, `${this.name}-dev-${n}`);
    const tty = path.join(this.dir, `${this.name}-tty-${n}`);
    // Device end first: socat creates it, then blocks on the harness end until it is opened.
    // Tethered: a harness killed with SIGKILL takes its adapters along.
    const proc = spawnTethered('socat', [`pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${tty},wait-slave,pty-interval=0.005,ignoreeof`]);
    let stderr = '';
    proc.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    let exited: string | undefined;
    proc.once('exit', (code, sig) => {
      exited = `socat exited (${sig ?? code})${stderr ? `: ${stderr.trim()}` : ''}${code === 127 ? ' (apt-get install socat)' : ''}`;
      live.delete(proc);
      if (this.proc === proc) this.proc = undefined;
    });
    proc.once('error', (e) => (exited = `cannot run socat: ${e.message} (apt-get install socat)`));
    live.add(proc);
    this.proc = proc;
    const deadline = performance.now() + timeoutMs;
    while (!(existsSync(device) && existsSync(tty))) {
      if (exited) throw new Error(`${this.name}: ${exited}`);
      if (performance.now() > deadline) {
        stopTethered(proc);
        throw new Error(`${this.name}: socat made no pseudo-terminal pair within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const harness = realpathSync(tty);
    // Atomic repoint, as udev replaces a link: never a moment with a half-made one.
    const tmp = `${this.link}.${process.pid}.new`;
    rmSync(tmp, { force: true });
    symlinkSync(harness, tmp);
    renameSync(tmp, this.link);
    this.current = { device, harness };
    return this.current;
  }

  /** The adapter loses power: its tty goes away (socat exits) and udev drops the link. */
  unplug(): void {
    const p = this.proc;
    this.proc = undefined;
    this.current = undefined;
    if (p) stopTethered(p);
    rmSync(this.link, { force: true });
  }

  close(): void {
    this.unplug();
  }
}
