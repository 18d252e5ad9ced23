// The ESP32 ROM and the ESP-IDF second-stage bootloader a Mongoose OS ESP32 build ships: the
// partition table, the otadata choice, image verification (checksum and appended SHA-256), a
// fall-through to the other slot when the chosen image is bad, and 'Loaded app from partition at
// offset'. Console strings follow the IDF v4.4 bootloader.
import type { DeviceContext } from '../../stack.ts';
import type { Esp32Layout } from './esp32-layout.ts';
import { selectOtadata, setActualSeq } from './esp32-otadata.ts';
import { checkAppImage } from './app-image.ts';
import { hostYield, reboot, RESET_KEY } from './platform.ts';

export const IDF_VERSION = 'v4.4.3';
const HASH_BYTES_PER_MS = 4000;

const RESETS: Record<string, string> = {
  sw: '0xc (SW_CPU_RESET)',
  sys: '0x3 (SW_RESET)', // bootloader_reset: the whole system, not only the CPU
  panic: '0xc (SW_CPU_RESET)',
  wdt: '0x8 (TG1WDT_SYS_RESET)',
};

/** Returns the slot index the bootloader jumped to; with nothing bootable it resets, again and again. */
export async function esp32Boot(ctx: DeviceContext, l: Esp32Layout): Promise<number> {
  const t0 = ctx.uptimeMs();
  const reset = ctx.bootIndex === 0 ? undefined : (ctx.rtc.get(RESET_KEY) as string | undefined);
  ctx.rtc.delete(RESET_KEY);
  ctx.print('ets Jun  8 2016 00:22:57');
  ctx.print('');
  ctx.print(`rst:${reset ? (RESETS[reset] ?? RESETS.sw) : '0x1 (POWERON_RESET)'},boot:0x13 (SPI_FAST_FLASH_BOOT)`);
  ctx.print('configsip: 0, SPIWP:0xee');
  ctx.print('clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00');
  ctx.print('mode:DIO, clock div:2');
  ctx.print('load:0x3fff0030,len:6612');
  ctx.print('load:0x40078000,len:14788');
  ctx.print('load:0x40080400,len:3792');
  ctx.print('entry 0x40080694');
  await ctx.sleep(25);
  const log = (lvl: 'I' | 'E', tag: string, text: string) => ctx.print(`${lvl} (${Math.round(ctx.uptimeMs() - t0)}) ${tag}: ${text}`);
  log('I', 'boot', `ESP-IDF ${IDF_VERSION} 2nd stage bootloader`);
  log('I', 'boot', 'compile time 00:00:00');
  log('I', 'boot', 'chip revision: 3');
  log('I', 'boot.esp32', 'SPI Speed      : 40MHz');
  log('I', 'boot.esp32', 'SPI Mode       : DIO');
  log('I', 'boot.esp32', `SPI Flash Size : ${l.flashSize >= 0x100000 ? `${l.flashSize / 0x100000}MB` : `${l.flashSize / 1024}KB`}`);
  log('I', 'boot', 'Enabling RNG early entropy source...');
  log('I', 'boot', 'Partition Table:');
  log('I', 'boot', '## Label            Usage          Type ST Offset   Length');
  l.table.forEach((r, i) => {
    const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
    log('I', 'boot', `${String(i).padStart(2)} ${r.label.padEnd(16)} ${r.usage.padEnd(16)} ${hex(r.type, 2)} ${hex(r.subtype, 2)} ${hex(r.area.off, 8)} ${hex(r.area.size, 8)}`);
  });
  log('I', 'boot', 'End of partition table');
  await ctx.sleep(5);

  const sel = selectOtadata(ctx.flash, l.otadata, l.sectorSize, l.slots.length);
  if (sel.copy < 0) log('I', 'boot', 'No factory image, trying OTA 0');
  // Try the chosen slot first, then the others (IDF walks down, then up, from the chosen index).
  const order = [sel.slot, ...l.slots.map((_, i) => i).filter((i) => i !== sel.slot)];
  for (const i of order) {
    const slot = l.slots[i]!;
    const check = checkAppImage(ctx.flash, slot.app.off, slot.app.size, 'esp32');
    await ctx.sleep(check.ok ? check.size / HASH_BYTES_PER_MS : 1);
    if (!check.ok) {
      if (check.erased) log('E', 'esp_image', `image at 0x${slot.app.off.toString(16)} has invalid magic byte (nothing flashed here?)`);
      else if (check.reason === 'image hash failed') log('E', 'esp_image', 'Image hash failed - image is corrupt');
      else log('E', 'esp_image', `Checksum failed. Calculated image at 0x${slot.app.off.toString(16)} is invalid (${check.reason})`);
      log('E', 'boot', `OTA app partition slot ${i} is not bootable`);
      continue;
    }
    const segLen = check.size - 24 - 8 - 32;
    log('I', 'esp_image', `segment 0: paddr=0x${(slot.app.off + 0x20).toString(16).padStart(8, '0')} vaddr=0x3f400020 size=0x${segLen.toString(16).padStart(5, '0')} (${String(segLen).padStart(6)}) map`);
    log('I', 'boot', `Loaded app from partition at offset 0x${slot.app.off.toString(16)}`);
    if (sel.copy < 0) log('I', 'boot', `Set actual ota_seq=${await setActualSeq(ctx.flash, l.otadata, l.sectorSize, i)} in otadata[0]`);
    log('I', 'boot', 'Disabling RNG early entropy source...');
    await ctx.sleep(20);
    return i;
  }
  log('E', 'boot', 'No bootable app partitions in the partition table');
  // bootloader_reset: a software reset, and the ROM starts over (a loop the console shows).
  await ctx.sleep(100);
  await hostYield();
  return reboot(ctx, 'bootloader_reset', 'sys');
}
