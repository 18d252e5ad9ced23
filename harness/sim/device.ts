// A simulated board: a NOR flash, a power supply, a UART and a loopback network, running one
// device stack. Only flash survives a power cut: every power-on starts a fresh life with new RAM
// (the stack's state lives inside boot()), RTC memory survives warm resets only, in-flight
// sockets die with the power (their AbortSignal fires), and console input is dropped.
import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { NorFlash, PowerLoss } from './flash.ts';
import { runDownloadMode, type EspChip } from './esp-rom/loader.ts';
import type { SimStack, DeviceContext, DeviceFlash, SimDeviceConfig } from './stack.ts';
import type { SimConfig } from '../rig/schema.ts';

/** Like PowerLoss: thrown and caught inside the simulator by the thousand, so without a stack trace. */
export class WarmReset extends Error {
  constructor(readonly reason = 'reset') {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`warm reset: ${reason}`);
    Error.stackTraceLimit = limit;
  }
}
WarmReset.prototype.name = 'WarmReset';

/** Typical NOR timings; they set how long a swap or a download takes in simulated time. */
const ERASE_MS_PER_SECTOR = 40;
const PROGRAM_MS_PER_BYTE = 0.01;

export class SimDevice {
  readonly flash: NorFlash;
  readonly config: Required<Pick<SimConfig, 'timeScale' | 'seed'>> & SimDeviceConfig;
  /** Device → host bytes (UART TX). Bytes sent while nobody listens are lost, as on a wire. */
  readonly uart = new EventEmitter<{ tx: [Buffer] }>();
  private life: AbortController | null = null;
  private rxLines: string[] = [];
  private rxWaiter: (() => void) | null = null;
  private rxPartial = '';
  private lifeDone: Promise<void> = Promise.resolve();
  /** The boot running now, for an external reset. */
  private current: AbortController | null = null;
  /** USB-serial control lines, through a dev board's auto-reset circuit to EN and GPIO0. */
  private lines = { dtr: false, rts: false };
  private enHeld = false;
  /** EN went low since the last boot began (however briefly): the chip restarts as from power-on. */
  private enPulsed = false;
  private enWaiter: (() => void) | null = null;
  /** Raw RX while the ROM's download mode runs (it speaks SLIP, not lines). */
  private rawRx: Buffer[] | null = null;
  private rawWaiter: (() => void) | null = null;

  constructor(
    readonly name: string,
    readonly stack: SimStack,
    config: SimDeviceConfig,
    /** Flash content to start from (taken over, not copied): a sweep's fork. */
    image?: ConstructorParameters<typeof NorFlash>[2],
  ) {
    this.config = { timeScale: 20, seed: 1, ...config };
    this.flash = new NorFlash(stack.flashGeometry(this.config), this.config.seed, image);
    // Made here, booted soon: the stack's boot loads meanwhile (a failure shows at the first boot).
    stack.loadBoot?.().catch(() => undefined);
  }

  get powered(): boolean {
    return this.life !== null;
  }

  powerOn(): void {
    if (this.life) return;
    const life = new AbortController();
    this.life = life;
    this.lifeDone = this.runLife(life);
  }

  /** Cut the supply: everything but flash is gone. */
  powerOff(): void {
    const life = this.life;
    if (!life) return;
    this.life = null;
    this.rxLines = [];
    this.rxPartial = '';
    life.abort(new PowerLoss('power switched off'));
    this.rxWaiter?.();
    this.enWaiter?.();
  }

  /**
   * The adapter's DTR and RTS as a dev board wires them (two transistors): EN is pulled low while
   * RTS is asserted and DTR is not, GPIO0 while DTR is asserted and RTS is not. Holding EN low keeps
   * the chip in reset; releasing it starts a boot that samples GPIO0 (low: the ROM's download mode).
   */
  setControlLines(lines: { dtr?: boolean; rts?: boolean }): void {
    this.lines = { dtr: lines.dtr ?? this.lines.dtr, rts: lines.rts ?? this.lines.rts };
    const enLow = this.lines.rts && !this.lines.dtr;
    if (enLow && !this.enHeld) {
      this.enHeld = true;
      this.enPulsed = true;
      this.current?.abort(new WarmReset('EN pulled low'));
    } else if (!enLow && this.enHeld) {
      this.enHeld = false;
      this.enWaiter?.();
    }
  }

  private get gpio0Low(): boolean {
    return this.lines.dtr && !this.lines.rts;
  }

  /** Pull the reset line: the running boot ends in a warm reset (RTC memory survives). Ignored while unpowered. */
  reset(reason = 'external reset (RST pin)'): void {
    this.current?.abort(new WarmReset(reason));
  }

  /** Resolves when the current life has fully unwound (after powerOff). */
  async settled(): Promise<void> {
    await this.lifeDone;
  }

  /** Host → device bytes (UART RX). Ignored while unpowered. */
  receive(bytes: Buffer): void {
    if (!this.life) return;
    if (this.rawRx) {
      this.rawRx.push(Buffer.from(bytes));
      this.rawWaiter?.();
      return;
    }
    this.rxPartial += bytes.toString('latin1');
    const parts = this.rxPartial.split(/\r\n|\r|\n/);
    this.rxPartial = parts.pop()!;
    this.rxLines.push(...parts);
    if (parts.length) this.rxWaiter?.();
  }

  private async runLife(life: AbortController): Promise<void> {
    const rtc = new Map<string, unknown>(); // survives warm resets of this life only
    const poweredAt = performance.now();
    for (let boot = 0; !life.signal.aborted; boot++) {
      // A reset loop at a high time scale would never wait on a timer; let the host breathe.
      if (boot > 0) await new Promise((resolve) => setImmediate(resolve));
      while (this.enHeld && !life.signal.aborted) await new Promise<void>((resolve) => (this.enWaiter = resolve));
      this.enWaiter = null;
      if (this.enPulsed) {
        this.enPulsed = false;
        boot = 0; // reset through EN: the chip reports a power-on reset, as after the RST button
      }
      if (life.signal.aborted) return;
      const bootAc = new AbortController();
      this.current = bootAc;
      const onPowerLoss = () => bootAc.abort(life.signal.reason);
      life.signal.addEventListener('abort', onPowerLoss, { once: true });
      const ctx = this.context(bootAc, rtc, poweredAt, boot);
      try {
        const rom = this.gpio0Low ? this.stack.rom : undefined;
        await Promise.race([rom ? this.downloadMode(ctx, rom) : this.stack.boot(ctx), aborted(bootAc.signal)]);
        await aborted(bootAc.signal); // halted: stay dead until reset or power loss
      } catch (e) {
        const reason: unknown = bootAc.signal.aborted ? bootAc.signal.reason : e;
        if (reason instanceof WarmReset) continue;
        if (reason instanceof PowerLoss) {
          // A cut planned inside the flash (sweeps): the supply is gone now.
          if (this.life === life) this.powerOff();
          return;
        }
        ctx.print(`*** simulator fault: ${(reason as Error)?.stack ?? String(reason)}`);
        await aborted(life.signal).catch(() => undefined);
        return;
      } finally {
        life.signal.removeEventListener('abort', onPowerLoss);
        if (this.current === bootAc) this.current = null;
        bootAc.abort(new WarmReset('boot ended'));
      }
    }
  }

  /** The ROM's serial download mode for this boot: RX becomes raw bytes until the boot ends. */
  private async downloadMode(ctx: DeviceContext, chip: EspChip): Promise<void> {
    const rx: Buffer[] = [];
    this.rawRx = rx;
    this.rxLines = [];
    this.rxPartial = '';
    const readBytes = async (): Promise<Uint8Array> => {
      for (;;) {
        ctx.signal.throwIfAborted();
        const chunk = rx.shift();
        if (chunk) return chunk;
        const onAbort = () => this.rawWaiter?.();
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        await new Promise<void>((resolve) => (this.rawWaiter = resolve));
        ctx.signal.removeEventListener('abort', onAbort);
        this.rawWaiter = null;
      }
    };
    try {
      await runDownloadMode(ctx, chip, readBytes);
    } finally {
      if (this.rawRx === rx) this.rawRx = null;
    }
  }

  private context(bootAc: AbortController, rtc: Map<string, unknown>, poweredAt: number, bootIndex: number): DeviceContext {
    const signal = bootAc.signal;
    const scale = this.config.timeScale;
    let debtMs = 0; // simulated time not yet slept, batched so tiny flash ops stay cheap
    const now = Promise.resolve();
    // Not async: a sweep's forks make millions of these calls, most of which wait for nothing.
    const sleep = (simMs: number): Promise<void> => {
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      debtMs += simMs / scale;
      if (debtMs < 2) return now;
      const wall = debtMs;
      debtMs = 0;
      const check = () => signal.throwIfAborted();
      return delay(wall, undefined, { signal }).then(check, check);
    };
    const flash = this.flash;
    /** An operation taking `simMs`: done at once when that is under 2 ms of wall time, else done (or torn) at its end. */
    const timedOp = (simMs: number, op: () => void, tear: (fraction: number) => void): Promise<void> => {
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      const wallMs = simMs / scale;
      if (wallMs < 2) {
        try {
          op();
        } catch (e) {
          return Promise.reject(e instanceof Error ? e : new Error(String(e)));
        }
        return sleep(simMs);
      }
      const start = performance.now();
      return sleep(simMs).then(op, (e: unknown) => {
        // Power went while this operation was in progress: it is torn where it got to.
        if (signal.reason instanceof PowerLoss) tear(Math.min((performance.now() - start) / wallMs, 0.99));
        throw e;
      });
    };
    const deviceFlash: DeviceFlash = {
      geometry: flash.geometry,
      read: (addr, len) => flash.read(addr, len),
      view: (addr, len) => flash.view(addr, len),
      erase: (addr, len) =>
        timedOp(
          (len / flash.geometry.sectorSize) * ERASE_MS_PER_SECTOR,
          () => flash.erase(addr, len),
          (f) => tearSafely(() => { flash.armCut({ atOp: flash.stats.ops + 1, torn: true, fraction: f }); flash.erase(addr, len); }),
        ),
      program: (addr, data) =>
        timedOp(
          data.length * PROGRAM_MS_PER_BYTE,
          () => flash.program(addr, data),
          (f) => tearSafely(() => { flash.armCut({ atOp: flash.stats.ops + 1, torn: true, fraction: f }); flash.program(addr, data); }),
        ),
    };
    return {
      board: this.name,
      config: this.config,
      bootIndex,
      flash: deviceFlash,
      signal,
      rtc,
      uptimeMs: () => (performance.now() - poweredAt) * scale,
      sleep,
      print: (line: string) => {
        if (!signal.aborted) this.uart.emit('tx', Buffer.from(line + '\r\n', 'utf8'));
      },
      write: (bytes: Uint8Array) => {
        if (!signal.aborted) this.uart.emit('tx', Buffer.from(bytes));
      },
      readLine: async () => {
        for (;;) {
          signal.throwIfAborted();
          const line = this.rxLines.shift();
          if (line !== undefined) return line;
          const onAbort = () => this.rxWaiter?.();
          await new Promise<void>((resolve) => {
            this.rxWaiter = resolve;
            signal.addEventListener('abort', onAbort, { once: true });
          });
          signal.removeEventListener('abort', onAbort); // one listener per wait, not one per line
          this.rxWaiter = null;
        }
      },
      reset: (reason = 'sys_reboot') => {
        const r = new WarmReset(reason);
        bootAc.abort(r);
        throw r;
      },
    };
  }
}

function tearSafely(tear: () => void): void {
  try {
    tear();
  } catch (e) {
    if (!(e instanceof PowerLoss)) throw e;
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}
