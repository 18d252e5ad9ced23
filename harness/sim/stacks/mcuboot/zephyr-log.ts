// Console line formats of a Zephyr application: `[hh:mm:ss.mmm,uuu] <lvl> module: text`, with the
// uptime counted from the app's own kernel start (a warm reset restarts it).
import type { DeviceContext } from '../../stack.ts';

export type Level = 'inf' | 'wrn' | 'err' | 'dbg';

export interface ZephyrLog {
  (level: Level, module: string, text: string): void;
}

/** Kernel and driver init before main() logs anything. */
const INIT_MS = 12;

export function zephyrLog(ctx: DeviceContext): ZephyrLog {
  const start = ctx.uptimeMs() - INIT_MS;
  return (level, module, text) => ctx.print(`${stamp(ctx.uptimeMs() - start)} <${level}> ${module}: ${text}`);
}

export function stamp(ms: number): string {
  const us = Math.max(0, Math.floor(ms * 1000));
  const p = (n: number, w: number) => String(n).padStart(w, '0');
  const h = Math.floor(us / 3_600_000_000);
  const m = Math.floor(us / 60_000_000) % 60;
  const s = Math.floor(us / 1_000_000) % 60;
  return `[${p(h, 2)}:${p(m, 2)}:${p(s, 2)}.${p(Math.floor(us / 1000) % 1000, 3)},${p(us % 1000, 3)}]`;
}
