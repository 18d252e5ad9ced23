// The recovery procedure's view of a rig board, through its public parts only: power switch,
// console boots (own cursor, so an abandoned wait cannot consume a boot another one needs) and
// the rig's commit step. Cancelled when a planned cut overtakes the step it was driving.
import type { Board } from '../fixtures/board.ts';
import type { Boot } from '../bootlog/boot.ts';
import { flashAudit } from './fork.ts';
import { pickOutcomeBoot, type Dut } from './recover.ts';
import { waitOn } from './wait.ts';
import { deviceMs } from '../fixtures/device-time.ts';

const OFF_MS = 50;
const REFUSED = Symbol('refused');

export class Interrupted extends Error {
  constructor() {
    super('interrupted by a power cut');
    this.name = 'Interrupted';
  }
}

export interface BoardDutHooks {
  /** Called before the commit step and after it was acknowledged. */
  commit?(stage: 'commit' | 'committed'): void;
}

export class BoardDut implements Dut {
  private from: number;
  private cancelled = false;

  /** `from`: the console line where boots start to count (default: now). */
  constructor(
    private readonly board: Board,
    private readonly hooks: BoardDutHooks = {},
    from?: number,
  ) {
    this.from = from ?? board.console.lines.length;
  }

  /** Every later call throws Interrupted: the step it belonged to was cut short. */
  cancel(): void {
    this.cancelled = true;
  }

  async powerOn(): Promise<void> {
    this.check();
    this.from = this.board.console.lines.length;
    await this.board.power.restore();
  }

  async powerOff(): Promise<void> {
    this.check();
    await this.board.power.cut();
    // Off for a moment, as power.cycle() is: lines still in flight belong to the life that ended.
    await new Promise((r) => setTimeout(r, this.offMs()));
  }

  /**
   * A simulated board's in-process UART hands its bytes to the console through promises, before
   * any timer can fire: its lines are in by then, so it is off for OFF_MS of its own time. A real
   * board, or a pseudo-terminal between, takes OFF_MS of the wall.
   */
  private offMs(): number {
    const c = this.board.config;
    return this.board.sim && (c.sim?.uart ?? 'in-process') === 'in-process' ? deviceMs(c, OFF_MS, 1) : OFF_MS;
  }

  async nextBoot(timeoutMs?: number): Promise<Boot | null> {
    this.check();
    const since = () => this.board.boots.all().filter((b) => b.startLine >= this.from);
    // The board's own boot timeout, a simulated board's too: a guard no boot that comes uses up.
    // Scaled down to a few seconds of wall, a loaded host's simulation (an ESP8266's copy boot at
    // load 23) missed it: the recording power-cycled mid-install and the sweep had no coverage.
    const timeout = timeoutMs ?? this.board.boots.defaultTimeoutMs;
    // A board that said it refused the update (its stack's refusal line) and has not begun a boot
    // will not reboot by itself: its word ends the wait, not the boot timeout. Never inside a
    // window that must pass without a reboot (timeoutMs given): that one is waited out in full.
    const refusal = timeoutMs === undefined ? this.board.promises.refusal : undefined;
    const lines = this.board.console.lines;
    let scanned = this.from;
    let refused = false;
    const refusedNow = () => {
      for (; !refused && scanned < lines.length; scanned++) refused = refusal!.test(lines[scanned]!.text);
      return refused && since().length === 0;
    };
    const probe = () => pickOutcomeBoot(since()) ?? (refusal && refusedNow() ? REFUSED : undefined);
    const seen = await waitOn(this.board.console, probe, timeout, 'settled boot', () => this.cancelled);
    let boot: Boot | null = seen === REFUSED ? null : (seen ?? null);
    this.check();
    if (!boot) {
      const boots = since();
      boot = boots[boots.length - 1] ?? null; // a hang is a verdict too
    }
    if (boot) this.from = boot.startLine + 1;
    return boot;
  }

  async commit(): Promise<boolean> {
    this.check();
    this.hooks.commit?.('commit');
    try {
      await this.board.commit();
    } catch {
      return false;
    }
    this.check();
    this.hooks.commit?.('committed');
    return true;
  }

  audit(boot: Boot): string[] {
    const sim = this.board.sim;
    return sim ? flashAudit(sim.stack, sim.flash, sim.config, boot) : [];
  }

  private check(): void {
    if (this.cancelled) throw new Interrupted();
  }
}
