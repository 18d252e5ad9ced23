// One cut point's afterlife. A fresh simulated board whose flash is the recorded flash at the cut
// (plus the torn operation, if any) is driven the way the harness drives a board: power, console
// lines, the rig's commit command. Only flash survives a cut, so this is the same board a replay
// up to the cut would leave behind, without replaying. Verdicts come from its console through the
// stack's boot-log parser; the flash is only read to cross-check them (audit).
import { SimDevice } from '../sim/device.ts';
import { PowerLoss, type FlashCounters, type NorFlash } from '../sim/flash.ts';
import type { SimStack } from '../sim/stack.ts';
import type { Boot, BootLogParser } from '../bootlog/boot.ts';
import type { CommitConfig, SimConfig } from '../rig/schema.ts';
import { sameVersion } from '../bootlog/describe.ts';
import { pickOutcomeBoot, type Dut } from './recover.ts';
import type { PowerOnState } from './memo.ts';
import { createCommitMethod } from '../commit/registry.ts';
import type { CommitIo, CommitMethod } from '../commit/method.ts';
import { ReadSet } from './read-memo.ts';

export interface ForkSetup {
  stack: SimStack;
  /** The board's simulator config with a large timeScale. */
  config: SimConfig;
  parser: BootLogParser;
  commit: CommitConfig | undefined;
  /** Wall ms without console output or flash activity after which a boot counts as stuck. */
  quietMs: number;
}

/** An operation cut while in progress: an erase, or a program of `data`, `fraction` done. */
export interface TornOp {
  kind: 'erase' | 'program';
  addr: number;
  len: number;
  data: Uint8Array | null;
  fraction: number;
}

/** Flash buffers of disposed forks, by size: a sweep makes thousands of forks of one size. */
const spare = new Map<number, Uint8Array[]>();
const SPARE_MAX = 8;

/** A device printing this much in one power-on is looping without end; the fork pulls the plug. */
const MAX_LINES = 5000;
/** A device still busy after this many event-loop turns (a boot loop) is not waited for any longer. */
const IDLE_TURNS_MAX = 20;

export class Fork implements Dut {
  readonly device: SimDevice;
  readonly lines: string[] = [];
  private partial = '';
  private from = 0;
  /** Lines and flash operations so far: a change means the device did something. */
  private activity = 0;
  private waiters = new Set<() => void>();
  private notifyQueued = false;
  private readonly dirtyAtStart: number;
  private readonly opsAtStart: number;
  /** The rig's commit step, the same method the board runs (never opened: no services of its own). */
  private readonly commitMethod: CommitMethod;
  private reads: ReadSet | null = null;

  constructor(
    private readonly setup: ForkSetup,
    name: string,
    bytes: Uint8Array,
    counters: FlashCounters,
    torn?: TornOp,
  ) {
    const image = spare.get(bytes.length)?.pop() ?? new Uint8Array(bytes.length);
    image.set(bytes);
    this.device = new SimDevice(name, setup.stack, setup.config, { bytes: image, counters });
    const flash = this.device.flash;
    if (torn) tear(flash, torn);
    this.dirtyAtStart = flash.stats.dirtyPrograms;
    this.opsAtStart = flash.stats.ops;
    flash.onOp = () => this.touch();
    this.device.uart.on('tx', (b) => this.onTx(b));
    this.commitMethod = createCommitMethod(setup.commit, { board: name });
  }

  powerOn(): Promise<void> {
    this.from = this.lines.length;
    this.touch();
    this.device.powerOn();
    return Promise.resolve();
  }

  async powerOff(): Promise<void> {
    await this.idle();
    this.device.powerOff();
    await this.device.settled();
  }

  async nextBoot(): Promise<Boot | null> {
    // Parsed again only when a line came: the probe runs after every burst of flash activity.
    let parsedAt = -1;
    let parsed: Boot[] = [];
    const since = () => {
      if (parsedAt !== this.lines.length) {
        parsedAt = this.lines.length;
        parsed = this.setup.parser.parse(this.lines.slice(this.from));
      }
      return parsed;
    };
    const boot = await this.waitFor(() => pickOutcomeBoot(since()));
    if (boot) return boot;
    const boots = since();
    return boots[boots.length - 1] ?? null; // stuck: the unsettled boot is the verdict
  }

  async commit(): Promise<boolean> {
    const m = this.commitMethod;
    if (!m.acts) return true;
    await this.idle();
    const io: CommitIo = {
      board: this.device.name,
      send: (line) => {
        this.device.receive(Buffer.from(line + '\n'));
        return Promise.resolve();
      },
      mark: () => this.lines.length,
      powerOnMark: () => this.from,
      // The fork's clock is the device's activity: no acknowledgement by the time it goes quiet is none.
      expect: async (re, from) => {
        const seen = await this.waitFor(() => (this.lines.slice(from).some((l) => re.test(l)) ? true : undefined));
        if (!seen) throw new Error(`${this.device.name}: no console line matching ${re} after the commit step`);
      },
      note: () => undefined,
    };
    try {
      await m.commit(io);
    } catch {
      return false;
    }
    await this.idle();
    return true;
  }

  audit(boot: Boot): string[] {
    const problems = flashAudit(this.setup.stack, this.device.flash, this.device.config, boot);
    const dirty = this.device.flash.stats.dirtyPrograms - this.dirtyAtStart;
    if (dirty) problems.push(`${dirty} program(s) onto unerased flash after the cut`);
    return problems;
  }

  powerOnState(): PowerOnState {
    const flash = this.device.flash;
    const { ops, dirtyPrograms } = flash.stats;
    const watch = flash.watch;
    flash.watch = null; // the memo's own look at the flash is not the device's
    const bytes = flash.view(0, flash.geometry.size);
    flash.watch = watch;
    return { bytes, dirty: dirtyPrograms - this.dirtyAtStart, changed: ops > this.opsAtStart, used: () => this.reads?.readAll() };
  }

  /** From now on, note what the device depends on of its starting flash (see read-memo.ts). */
  watchReads(): ReadSet {
    const flash = this.device.flash;
    this.reads = new ReadSet(flash.geometry.size);
    flash.watch = this.reads;
    return this.reads;
  }

  /** After the recovery (the device is off and settled): its flash buffer serves the next fork. */
  dispose(): void {
    this.device.powerOff();
    this.device.uart.removeAllListeners('tx');
    this.device.flash.onOp = null;
    this.device.flash.watch = null;
    this.reads?.release();
    if (!this.device.powered) {
      const b = this.device.flash.release();
      const list = spare.get(b.length) ?? [];
      if (list.length < SPARE_MAX) list.push(b);
      spare.set(b.length, list);
    }
  }

  private onTx(b: Buffer): void {
    const parts = (this.partial + b.toString('utf8')).split('\n');
    this.partial = parts.pop()!;
    for (const p of parts) this.lines.push(p.replace(/\r$/, ''));
    if (this.lines.length - this.from > MAX_LINES) this.device.powerOff();
    this.touch();
  }

  private touch(): void {
    this.activity++;
    if (this.notifyQueued || this.waiters.size === 0) return;
    this.notifyQueued = true;
    setImmediate(() => {
      this.notifyQueued = false;
      for (const w of [...this.waiters]) w();
    });
  }

  /** Resolve with `probe`'s value once it has one, or undefined when the device went quiet. */
  private waitFor<T>(probe: () => T | undefined, quietMs = this.setup.quietMs): Promise<T | undefined> {
    const first = probe();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise((resolve) => {
      const done = (v: T | undefined) => {
        clearInterval(timer);
        this.waiters.delete(check);
        resolve(v);
      };
      const check = () => {
        const v = probe();
        if (v !== undefined) done(v);
      };
      let confirming = false;
      // Activity is sampled here rather than timed per event: flash operations come by the million.
      let seen = this.activity;
      let quietSince = performance.now();
      const timer = setInterval(() => {
        if (confirming) return;
        if (this.activity !== seen) {
          seen = this.activity;
          quietSince = performance.now();
          return;
        }
        if (performance.now() - quietSince <= quietMs) return;
        // Quiet so long may only mean this process was starved: first let every timer and I/O
        // callback that came due meanwhile run, then judge.
        confirming = true;
        const mark = this.activity;
        void settleLoop().then(() => {
          confirming = false;
          if (this.activity === mark && this.waiters.has(check)) done(probe());
        });
      }, Math.max(1, quietMs / 4));
      this.waiters.add(check);
    });
  }

  /**
   * Let the device finish what it is doing before the harness acts, as a harness reacting over a
   * serial line would: idle means two event-loop turns went by without a line or a flash operation
   * (at a large timeScale the firmware's waits are microtasks, so it is blocked on input or halted).
   */
  private async idle(): Promise<void> {
    for (let i = 0; i < IDLE_TURNS_MAX; i++) {
      const mark = this.activity;
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      if (this.activity === mark) return;
    }
  }
}

/** A few event-loop iterations: due timers, I/O callbacks and immediates all get their turn. */
async function settleLoop(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setImmediate(r));
  }
}

/** Apply `op` torn to `flash`, as NorFlash does when power goes during it. */
export function tear(flash: NorFlash, op: TornOp): void {
  flash.armCut({ atOp: flash.stats.ops + 1, torn: true, fraction: op.fraction });
  try {
    if (op.kind === 'erase') flash.erase(op.addr, op.len);
    else flash.program(op.addr, op.data!); // recorded bytes after the op: old & data, so the same cells clear
  } catch (e) {
    if (!(e instanceof PowerLoss)) throw e;
  }
  flash.armCut(null);
}

/** Does the flash agree with what the console said runs? (as toBoot cross-checks a sim board) */
export function flashAudit(stack: SimStack, flash: NorFlash, config: SimConfig, boot: Boot): string[] {
  const f = stack.inspect(flash, config);
  const base = (v: string) => v.split('-')[0]!;
  const out: string[] = [];
  if (boot.version && f.version && !sameVersion(base(boot.version), base(f.version))) out.push(`the console says ${boot.version}, the flash holds ${f.version} (${f.detail})`);
  if (boot.slot && f.slot && boot.slot !== f.slot) out.push(`the console says slot ${boot.slot}, the flash says ${f.slot} (${f.detail})`);
  return out;
}
