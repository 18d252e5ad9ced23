// RTC user memory (0x60001200, 512 bytes) and what lives in it: eboot's command, written by the
// Updater and read by eboot after ESP.restart(). It survives a warm reset and is garbage after
// power-on (ctx.rtc is per power life). The reset cause the ROM prints is kept with it, as the
// chip's RTC keeps its reset-reason register.
import type { DeviceContext } from '../../stack.ts';
import { fillNoise, mulberry32 } from '../../flash.ts';

const USER_MEM = 'esp8266.rtc-user-mem';
const RESET_CAUSE = 'esp8266.reset-cause';
const USER_MEM_SIZE = 512;

export const EBOOT_MAGIC = 0xeb001000;
const EBOOT_MAGIC_MASK = 0xfffff000;
export const ACTION_COPY_RAW = 0x00000001;
export const ACTION_LOAD_APP = 0xffffffff;
const ARGS = 29;
/** magic, action, args[29], crc32 */
const COMMAND_SIZE = 4 * (3 + ARGS);

export interface EbootCommand {
  action: number;
  args: number[];
}

/** ROM reset causes as the banner prints them. */
export const RstCause = { POWER_ON: 1, EXTERNAL: 2, WDT: 4 } as const;

function userMem(ctx: DeviceContext): Uint8Array {
  let mem = ctx.rtc.get(USER_MEM) as Uint8Array | undefined;
  if (!mem) {
    // Fresh power: SRAM cells come up in no particular state.
    mem = fillNoise(new Uint8Array(USER_MEM_SIZE), mulberry32(ctx.config.seed ^ 0x5a5a ^ Math.floor(ctx.uptimeMs())));
    ctx.rtc.set(USER_MEM, mem);
  }
  return mem;
}

/** eboot's crc_update: CRC-32 shifted MSB first (poly 0x04c11db7), seed 0xffffffff, no final xor. */
export function ebootCrc(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const c of data) {
    for (let i = 0x80; i > 0; i >>= 1) {
      let bit = (crc & 0x80000000) !== 0;
      if (c & i) bit = !bit;
      crc = (crc << 1) >>> 0;
      if (bit) crc = (crc ^ 0x04c11db7) >>> 0;
    }
  }
  return crc >>> 0;
}

export function writeCommand(ctx: DeviceContext, cmd: EbootCommand): void {
  const b = new Uint8Array(COMMAND_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, EBOOT_MAGIC, true);
  dv.setUint32(4, cmd.action, true);
  cmd.args.slice(0, ARGS).forEach((a, i) => dv.setUint32(8 + 4 * i, a >>> 0, true));
  dv.setUint32(COMMAND_SIZE - 4, ebootCrc(b.subarray(0, COMMAND_SIZE - 4)), true);
  userMem(ctx).set(b, 0);
}

/** eboot_command_read: null unless the magic and the CRC hold. */
export function readCommand(ctx: DeviceContext): EbootCommand | null {
  const b = userMem(ctx).slice(0, COMMAND_SIZE);
  const dv = new DataView(b.buffer);
  if (((dv.getUint32(0, true) & EBOOT_MAGIC_MASK) >>> 0) !== EBOOT_MAGIC) return null;
  if (dv.getUint32(COMMAND_SIZE - 4, true) !== ebootCrc(b.subarray(0, COMMAND_SIZE - 4))) return null;
  const args = Array.from({ length: ARGS }, (_, i) => dv.getUint32(8 + 4 * i, true));
  return { action: dv.getUint32(4, true), args };
}

/** eboot_command_clear: magic and crc zeroed. */
export function clearCommand(ctx: DeviceContext): void {
  const mem = userMem(ctx);
  mem.fill(0, 0, 4);
  mem.fill(0, COMMAND_SIZE - 4, COMMAND_SIZE);
}

/** Reset with a cause the next ROM banner shows (ESP.restart and exceptions: 2; watchdog: 4). */
export function resetWith(ctx: DeviceContext, cause: number, reason: string): never {
  ctx.rtc.set(RESET_CAUSE, cause);
  ctx.reset(reason);
}

/** The cause of this boot: power-on on the first boot of a life, else what the last reset recorded. */
export function takeResetCause(ctx: DeviceContext): number {
  const cause = ctx.bootIndex === 0 ? RstCause.POWER_ON : ((ctx.rtc.get(RESET_CAUSE) as number | undefined) ?? RstCause.EXTERNAL);
  ctx.rtc.delete(RESET_CAUSE);
  return cause;
}
