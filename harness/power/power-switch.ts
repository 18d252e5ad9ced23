// One interface for every way a board's supply can be switched, real or simulated. Scenarios cut
// power at chosen moments and must know it happened, so errors are loud and name the board.
import type { SimSupply } from './sim.ts';

export type PowerState = 'on' | 'off' | 'unknown';

export interface PowerSwitch {
  /** e.g. "hid-relay 16c0:05df ABCDE channel 2": shown in logs and reports. */
  readonly description: string;
  on(): Promise<void>;
  off(): Promise<void>;
  /** 'unknown' when the hardware cannot report it (write-only relays). */
  state(): Promise<PowerState>;
  /** Releases the device (USB handle, serial port). The supply stays as it is. */
  close(): Promise<void>;
}

/**
 * Switches that can also act synchronously. Only these can still reach their safe state from a
 * process 'exit' handler, where nothing asynchronous runs any more.
 */
export interface SyncPowerSwitch extends PowerSwitch {
  setSync(state: 'on' | 'off'): void;
}

export const isSyncPowerSwitch = (s: PowerSwitch): s is SyncPowerSwitch =>
  typeof (s as Partial<SyncPowerSwitch>).setSync === 'function';

export class PowerError extends Error {
  constructor(
    readonly board: string,
    readonly driver: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`board ${board}: power switch (${driver}): ${detail}`, options);
    this.name = 'PowerError';
  }
}

/** What every driver gets from the registry. */
export interface PowerContext {
  board: string;
  /** The simulated board's supply, when the board is simulated: kind 'sim' switches it, and so may a kind of a user's own. */
  sim?: SimSupply;
}

/** Default for one hardware round trip; tools that enumerate the USB bus get longer. */
export const DEFAULT_HW_TIMEOUT_MS = 5000;

/** Wraps a failure of `fn` (including a timeout) into a PowerError naming board and driver. */
export async function attempt<T>(board: string, driver: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PowerError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new PowerError(board, driver, `${what}: ${msg}`, { cause: e });
  }
}
