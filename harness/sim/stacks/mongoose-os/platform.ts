// What the Mongoose OS application core needs from a port (ESP32 here, ESP8266 with rBoot in
// ../rboot): where each slot's firmware and filesystem live, and how the port's boot control
// records a trial, a commit and a revert. The core (app.ts, updater.ts) is shared; boot control
// is not, because that is exactly where the two ports differ.
import type { DeviceContext } from '../../stack.ts';

export interface Area {
  off: number;
  size: number;
}

export interface Slot {
  /** Name the console and inspect() use: 'app_1' on the ESP32, 'rom1' on the ESP8266. */
  name: string;
  app: Area;
  fs: Area;
}

/** Boot control as the port reads it at application start (after the bootloader ran). */
export interface BootInfo {
  /** The slot the bootloader started. */
  running: number;
  /** First boot of an updated image: a trial until committed. */
  firstBoot: boolean;
  /** The previous slot's files are still to be merged into this slot's filesystem. */
  mergeFs: boolean;
  /** An update was given up before its commit (reset during the trial, or rBoot's fallback). */
  abandoned: boolean;
  /** Where a revert goes. */
  revertSlot: number;
}

export type MosLog = (where: string, text: string) => void;

export interface MosPlatform {
  readonly chip: 'esp32' | 'esp8266';
  readonly slots: readonly Slot[];
  readonly writeSize: number;
  readonly sectorSize: number;
  /** Source files the port logs from, as real builds print them ('esp32_main.c'). */
  readonly files: { main: string; updater: string };
  info(): BootInfo;
  /** After 'Mongoose OS x.y.z (…)': a suffix for that line (', first boot') and [where, text] lines. */
  banner(info: BootInfo): { mosSuffix: string; lines: [string, string][] };
  /** What a crash prints (and notes in RTC memory as the reset cause). */
  crash(): string[];
  /** What the watchdog prints when the app hangs. */
  hang(): string[];
  /** Early init of a first boot, before anything else can reset (ESP32: the tombstone). */
  earlyInit(log: MosLog): Promise<void>;
  /** The merge is done: never again for this update. */
  mergeDone(): Promise<void>;
  /** Forget an abandoned update, so its flags do not haunt later boots. */
  forgetAbandoned(log: MosLog): Promise<void>;
  /** Everything of `slot` is written and verified: boot it next, as a trial. */
  setTrial(slot: number, log: MosLog): Promise<void>;
  /** Make the running trial permanent. */
  commit(log: MosLog): Promise<void>;
  /** Go back to the revert slot on the next boot (the caller reboots). */
  revert(log: MosLog): Promise<void>;
}

/** RTC memory key: why the last boot ended ('sw', 'panic', 'wdt'); absent after a power-on. */
export const RESET_KEY = 'mos:reset';

/** mgos_system_restart: note the cause where the next boot's ROM finds it, then reset. */
export function reboot(ctx: DeviceContext, reason: string, cause: 'sw' | 'sys' | 'panic' | 'wdt' = 'sw'): never {
  ctx.rtc.set(RESET_KEY, cause);
  ctx.reset(reason);
}

/**
 * Let the host's event loop run once per boot. ctx.sleep batches waits shorter than ~2 ms of wall
 * time, so at a high timeScale a crash-reboot loop would otherwise spin in microtasks and starve
 * every timer and socket of the test that watches it.
 */
export function hostYield(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** mgos log lines: 'esp_main.c:172          text' (file:line padded to 24 columns). */
export const mosLine = (where: string, text: string): string => `${where.padEnd(23)} ${text}`;

export function mosLog(ctx: DeviceContext): MosLog {
  return (where, text) => ctx.print(mosLine(where, text));
}

/**
 * Background work of one boot (timers, watchdogs). Mongoose OS is one event loop; here a task's
 * power loss or reset must still end the boot, so `failed` rejects with it and boot() races it.
 */
export class Tasks {
  private reject: (e: unknown) => void = () => undefined;
  readonly failed: Promise<never>;

  constructor(private readonly ctx: DeviceContext) {
    this.failed = new Promise<never>((_, reject) => (this.reject = reject));
    this.failed.catch(() => undefined); // raced by boot(); never an unhandled rejection
  }

  spawn(task: () => Promise<void>): void {
    task().catch((e: unknown) => this.reject(this.ctx.signal.aborted ? this.ctx.signal.reason : e));
  }
}
