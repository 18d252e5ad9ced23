// ESP_LOG line format, `I (312) app_init: text`: level letter, milliseconds since the CPU came out
// of reset (one clock for ROM, bootloader and app: a warm reset restarts it), tag, message.
import type { DeviceContext } from '../../stack.ts';

export type Level = 'E' | 'W' | 'I' | 'D';

export interface EspLog {
  (level: Level, tag: string, text: string): void;
  /** The timestamp the next line gets. */
  ms(): number;
}

/** Where the ROM hands over to the 2nd stage bootloader, in ms after reset (as on real logs). */
const FIRST_LOG_MS = 25;

export function espLog(ctx: DeviceContext): EspLog {
  const start = ctx.uptimeMs();
  const ms = () => FIRST_LOG_MS + Math.max(0, Math.round(ctx.uptimeMs() - start));
  const log = ((level: Level, tag: string, text: string) => ctx.print(`${level} (${ms()}) ${tag}: ${text}`)) as EspLog;
  log.ms = ms;
  return log;
}

export const hex = (n: number, width = 0): string => (n >>> 0).toString(16).padStart(width, '0');
