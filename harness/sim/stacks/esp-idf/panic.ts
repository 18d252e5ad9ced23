// How an ESP-IDF app dies: the panic handler's Guru Meditation dump, or the task watchdog
// (CONFIG_ESP_TASK_WDT_PANIC) aborting a hung app; both end in "Rebooting..." and a software CPU
// reset, which the bootloader sees as one more boot of a PENDING_VERIFY image.
import type { DeviceContext } from '../../stack.ts';
import type { EspLog } from './esp-log.ts';
import { Reset, beforeLoopingReset, chipReset } from './rom.ts';

/** CONFIG_ESP_TASK_WDT_TIMEOUT_S. */
export const TASK_WDT_MS = 5000;

export async function guruMeditation(ctx: DeviceContext, elfSha: string, cause = 'LoadProhibited'): Promise<never> {
  ctx.print(`Guru Meditation Error: Core  0 panic'ed (${cause}). Exception was unhandled.`);
  ctx.print('');
  ctx.print('Core  0 register dump:');
  ctx.print('PC      : 0x400d2f4a  PS      : 0x00060930  A0      : 0x800d5c1d  A1      : 0x3ffb4f80  ');
  ctx.print('A2      : 0x00000000  A3      : 0x3f4031e4  A4      : 0x00000001  A5      : 0x3ffb4fa0  ');
  ctx.print('EXCVADDR: 0x00000000  LBEG    : 0x4000c2e0  LEND    : 0x4000c2f6  LCOUNT  : 0xffffffff  ');
  ctx.print('');
  ctx.print('');
  ctx.print('Backtrace: 0x400d2f47:0x3ffb4f80 0x400d5c1a:0x3ffb4fa0 0x4008a3ee:0x3ffb4fc0');
  return rebooting(ctx, elfSha);
}

export async function taskWatchdog(ctx: DeviceContext, log: EspLog, elfSha: string): Promise<never> {
  await ctx.sleep(TASK_WDT_MS);
  const e = (s: string) => log('E', 'task_wdt', s);
  e('Task watchdog got triggered. The following tasks/users did not reset the watchdog in time:');
  e(' - IDLE0 (CPU 0)');
  e('Tasks currently running:');
  e('CPU 0: main');
  e('CPU 1: IDLE1');
  e('Aborting.');
  ctx.print('');
  ctx.print('abort() was called at PC 0x400d8a3b on core 0');
  ctx.print('');
  ctx.print('');
  ctx.print('Backtrace: 0x40081a9e:0x3ffb0b60 0x40087b2d:0x3ffb0b80 0x4008c9a2:0x3ffb0ba0');
  return rebooting(ctx, elfSha);
}

async function rebooting(ctx: DeviceContext, elfSha: string): Promise<never> {
  ctx.print('');
  ctx.print('');
  ctx.print('');
  ctx.print(`ELF file SHA256: ${elfSha}`);
  ctx.print('');
  ctx.print('Rebooting...');
  await ctx.sleep(20);
  await beforeLoopingReset(ctx); // a confirmed image that crashes at every boot loops forever
  return chipReset(ctx, Reset.SW_CPU, 'panic');
}
