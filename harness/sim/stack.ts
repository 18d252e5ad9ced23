// The seam between the simulated board and one update stack (MCUboot, ESP-IDF, ...).
// A stack module exports one SimStack; harness/sim/registry.ts lists them.
import type { FlashGeometry, NorFlash } from './flash.ts';
import type { EspChip } from './esp-rom/loader.ts';
import type { BoardConfig, DeviceCloud, FirmwareConfig, SimBehaviour, SimConfig, StackName } from '../rig/schema.ts';

/**
 * A simulated board's config: the rig's sim section plus how its firmware was built (board.firmware)
 * and the ArduinoOTA password it was built with (the espota transport's `password`, which the rig
 * documents as ArduinoOTA.setPassword on the board), and its cloud settings (set when the board is made).
 */
export type SimDeviceConfig = SimConfig & { firmware?: FirmwareConfig; otaPassword?: string; cloud?: DeviceCloud };

/** The config a board's simulator runs with. */
export const simDeviceConfig = (board: Pick<BoardConfig, 'sim' | 'firmware'> & Partial<Pick<BoardConfig, 'transport'>>): SimDeviceConfig => ({
  ...board.sim,
  firmware: board.firmware,
  ...(board.transport?.kind === 'espota' && board.transport.password !== undefined ? { otaPassword: board.transport.password } : {}),
});

/** Flash as firmware sees it: operations take simulated time and can be torn by a power cut. */
export interface DeviceFlash {
  readonly geometry: FlashGeometry;
  read(addr: number, len: number): Uint8Array;
  /** The bytes without a copy, for copying or hashing at once: changes with the flash, never write through it. */
  view(addr: number, len: number): Uint8Array;
  erase(addr: number, len: number): Promise<void>;
  program(addr: number, data: Uint8Array): Promise<void>;
}

/** What firmware can touch during one boot (from reset to the next reset or power loss). */
export interface DeviceContext {
  readonly board: string;
  readonly config: SimDeviceConfig & { timeScale: number; seed: number };
  /** Boots since power-on: 0 is a cold boot, later ones follow warm resets. */
  readonly bootIndex: number;
  readonly flash: DeviceFlash;
  /** Aborted on warm reset and on power loss: pass it to every socket and timer. */
  readonly signal: AbortSignal;
  /** RTC memory: survives a warm reset, lost on power loss. */
  readonly rtc: Map<string, unknown>;
  /** Simulated milliseconds since power-on. */
  uptimeMs(): number;
  /** Let simulated time pass; rejects on reset or power loss. */
  sleep(simMs: number): Promise<void>;
  /** Print one console line (the device adds CRLF). */
  print(line: string): void;
  /** Send raw bytes on the UART (a binary protocol such as the ESP ROM loader's). */
  write(bytes: Uint8Array): void;
  /** Next line typed on the console; rejects on reset or power loss. */
  readLine(): Promise<string>;
  /** Warm reset (watchdog, sys_reboot, ESP.restart): throws, ending this boot. */
  reset(reason?: string): never;
}

/** What the simulator's own flash inspection says runs; used only to cross-check console verdicts. */
export interface FlashVerdict {
  slot: string | null;
  version: string | null;
  detail: string;
}

export interface ImageBuild extends SimBehaviour {
  version: string;
}

export interface SimStack {
  readonly name: StackName;
  /** Seeded bugs this stack can be built with (name → what is wrong). */
  readonly mutants: Record<string, string>;
  /**
   * The chip's mask ROM has the ESP serial download mode: a reset with GPIO0 held low (the DTR/RTS
   * auto-reset circuit) runs it instead of boot(), so esptool can flash the board.
   */
  readonly rom?: EspChip;
  /**
   * Whether a seeded bug can show on a board built like this one (a skipped signature check needs
   * a signed build; a skipped MD5 check an unsigned one). Default: on every build.
   */
  mutantApplies?(mutant: string, config: SimDeviceConfig): boolean;
  flashGeometry(config: SimConfig): FlashGeometry;
  /** Build a firmware image in this stack's real format; the behaviour is encoded in its bytes. */
  buildImage(build: ImageBuild, config: SimConfig): Uint8Array;
  /** What a programmer does: erase the chip and write the image as the known baseline. */
  install(flash: NorFlash, image: Uint8Array, config: SimConfig): void;
  /** Run one boot: bootloader, then the application, until it resets or halts. */
  boot(ctx: DeviceContext): Promise<void>;
  /**
   * Load what boot() runs, ahead of the first power-on (bootOnFirstUse): a board being opened
   * awaits it, so its first boot starts at once, as every later one does.
   */
  loadBoot?(): Promise<void>;
  inspect(flash: NorFlash, config: SimConfig): FlashVerdict;
}

/**
 * A stack's boot() from a module of its own, loaded at the first boot or ahead of it (loadBoot): the
 * bootloader and application are most of a stack's code, and a process that only validates a rig,
 * builds images or simulates other stacks (a Playwright runner, another board's worker) never runs
 * them. Once loaded, a boot starts at once, as a direct call does (a power-on prints its first
 * lines before it returns).
 */
export function bootOnFirstUse(load: () => Promise<{ boot: SimStack['boot'] }>): Pick<SimStack, 'boot' | 'loadBoot'> {
  let boot: SimStack['boot'] | undefined;
  let loading: Promise<SimStack['boot']> | undefined;
  const loaded = () => (loading ??= load().then((m) => (boot = m.boot)));
  return {
    boot: (ctx) => (boot ? boot(ctx) : loaded().then((b) => b(ctx))),
    loadBoot: () => loaded().then(() => undefined),
  };
}
