// The ESP32 mask ROM: banner, reset reason, then it loads the 2nd stage bootloader's segments
// from 0x1000. The reset reason is a register that survives warm resets (kept in ctx.rtc).
import { setImmediate as yieldToHost } from 'node:timers/promises';
import type { DeviceContext } from '../../stack.ts';
import { BOOTLOADER_OFFSET, PARTITION_TABLE_OFFSET } from './layout.ts';
import { ESP_IMAGE_MAGIC, HEADER_SIZE, SEGMENT_HEADER_SIZE, parseHeader, spiModeName } from './image.ts';

export interface ResetReason {
  code: number;
  name: string;
}

export const Reset = {
  POWERON: { code: 0x1, name: 'POWERON_RESET' },
  SW: { code: 0x3, name: 'SW_RESET' },
  TG0WDT_SYS: { code: 0x7, name: 'TG0WDT_SYS_RESET' },
  SW_CPU: { code: 0xc, name: 'SW_CPU_RESET' },
  RTCWDT_RTC: { code: 0x10, name: 'RTCWDT_RTC_RESET' },
} as const satisfies Record<string, ResetReason>;

const RTC_KEY = 'esp-idf:reset-reason';

/**
 * Before a reset that may repeat forever (no bootable app, a crash at every boot): short sleeps
 * are batched per boot, so at a high time scale such a loop would spin in microtasks and starve
 * the host's timers and sockets. Normal boots never yield here, so their output stays prompt.
 */
export async function beforeLoopingReset(ctx: DeviceContext): Promise<void> {
  await yieldToHost();
  ctx.signal.throwIfAborted();
}

/** Reset the chip with `reason` (what the next boot's ROM prints); ends this boot. */
export function chipReset(ctx: DeviceContext, reason: ResetReason, why: string): never {
  ctx.rtc.set(RTC_KEY, reason);
  ctx.reset(why);
}

/** Prints what the ROM prints; resolves when it jumps to the bootloader, resets when it cannot. */
export async function runRom(ctx: DeviceContext): Promise<void> {
  const saved = ctx.rtc.get(RTC_KEY) as ResetReason | undefined;
  ctx.rtc.delete(RTC_KEY);
  const reason = ctx.bootIndex === 0 ? Reset.POWERON : (saved ?? Reset.SW_CPU);
  ctx.print('ets Jun  8 2016 00:22:57');
  ctx.print('');
  ctx.print(`rst:0x${reason.code.toString(16)} (${reason.name}),boot:0x13 (SPI_FAST_FLASH_BOOT)`);
  ctx.print('configsip: 0, SPIWP:0xee');
  ctx.print('clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00');
  const raw = ctx.flash.read(BOOTLOADER_OFFSET, HEADER_SIZE);
  const header = parseHeader(raw);
  if (header.magic !== ESP_IMAGE_MAGIC || header.segmentCount === 0 || header.segmentCount > 16) {
    // No 2nd stage: the ROM retries until the RTC watchdog resets the chip, forever.
    const word = new DataView(raw.buffer).getUint32(0, true);
    for (let i = 0; i < 4; i++) ctx.print(`invalid header: 0x${word.toString(16).padStart(8, '0')}`);
    await ctx.sleep(300);
    await beforeLoopingReset(ctx);
    chipReset(ctx, Reset.RTCWDT_RTC, 'RTC watchdog');
  }
  ctx.print(`mode:${spiModeName(header.spiMode)}, clock div:${header.spiSpeed === 0xf ? 1 : 2}`);
  let pos = BOOTLOADER_OFFSET + HEADER_SIZE;
  for (let i = 0; i < header.segmentCount && pos + SEGMENT_HEADER_SIZE <= PARTITION_TABLE_OFFSET; i++) {
    const sh = new DataView(ctx.flash.read(pos, SEGMENT_HEADER_SIZE).buffer);
    const len = sh.getUint32(4, true);
    ctx.print(`load:0x${sh.getUint32(0, true).toString(16).padStart(8, '0')},len:${len}`);
    pos += SEGMENT_HEADER_SIZE + len;
  }
  ctx.print(`entry 0x${header.entry.toString(16).padStart(8, '0')}`);
  await ctx.sleep(25);
}
