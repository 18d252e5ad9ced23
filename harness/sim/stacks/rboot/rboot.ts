// The ESP8266 ROM loader and Cesanta's patched rBoot v1.2.1: read rboot_config (default it when
// invalid), count an unconfirmed first boot ('First boot, attempt N', 'Boot is unconfirmed') and
// fall back on the second one ('Boot failed, fallback to fw #N', is_first_boot left set for the
// app to see), check the chosen ROM and step back through the others when it is bad ('Rom N is
// bad.'), write the config when anything changed, and jump ('Booting rom N (0x…).').
import type { DeviceContext } from '../../stack.ts';
import { RESET_KEY } from '../mongoose-os/platform.ts';
import { checkAppImage } from '../mongoose-os/app-image.ts';
import type { Mutation } from '../mongoose-os/mutants.ts';
import { defaultConfig, readConfig, writeConfig } from './config.ts';
import type { RbootLayout } from './layout.ts';

export const RBOOT_BANNER = 'rBoot v1.2.1 - richardaburton@gmail.com';
const ROM_CAUSE: Record<string, number> = { sw: 2, panic: 2, wdt: 4 };

export interface RbootResult {
  rom: number;
  /** Why the previous boot ended, for the app's 'Reset cause' line; null after power-on. */
  cause: string | null;
}

export async function rbootBoot(ctx: DeviceContext, l: RbootLayout, mut: Mutation): Promise<RbootResult | null> {
  const cause = ctx.bootIndex === 0 ? null : ((ctx.rtc.get(RESET_KEY) as string | undefined) ?? 'sw');
  ctx.rtc.delete(RESET_KEY);
  for (const line of ['', ` ets Jan  8 2013,rst cause:${cause ? (ROM_CAUSE[cause] ?? 2) : 1}, boot mode:(3,6)`, '']) ctx.print(line);
  for (const line of ['load 0x40100000, len 1220, room 16 ', 'tail 4', 'chksum 0xda', 'load 0x3ffe8000, len 640, room 4 ', 'tail 12', 'chksum 0xa8', 'csum 0xa8', '']) {
    ctx.print(line);
  }
  await ctx.sleep(30);
  ctx.print(RBOOT_BANNER);
  ctx.print(`Flash Size:   ${(l.flashSize * 8) / 0x100000} Mbit`);
  ctx.print('Flash Mode:   DIO');
  ctx.print('Flash Speed:  40 MHz');
  ctx.print('rBoot Option: Big flash');
  ctx.print('');

  let cfg = readConfig(ctx.flash, l.configAddr);
  let update = false;
  if (!cfg) {
    ctx.print('Writing default boot config.');
    cfg = defaultConfig(l.slots.map((s) => s.app.off));
    update = true;
  }
  let rom = cfg.currentRom;
  if (rom >= cfg.count) {
    ctx.print('Invalid rom selected, defaulting to 0.');
    rom = cfg.currentRom = 0;
    update = true;
  }
  if (cfg.isFirstBoot) {
    ctx.print(`First boot, attempt ${cfg.bootAttempts}`);
    if (cfg.bootAttempts > 0 || mut.has('fallback-on-first-boot')) {
      ctx.print(`Boot failed, fallback to fw #${cfg.previousRom}`);
      rom = cfg.currentRom = cfg.previousRom;
      cfg.fwUpdated = false;
      cfg.bootAttempts = 0;
      update = true; // is_first_boot stays set: the app learns from it that the update failed
    } else {
      cfg.bootAttempts++;
      ctx.print('Boot is unconfirmed');
      if (!mut.has('attempts-not-persisted')) update = true;
    }
  }
  const start = rom;
  for (;;) {
    const addr = cfg.roms[rom] ?? 0;
    const slot = l.slots.find((s) => s.app.off === addr);
    await ctx.sleep(5);
    if (slot && checkAppImage(ctx.flash, addr, slot.app.size, 'esp8266').ok) break;
    ctx.print(`Rom ${rom} is bad.`);
    update = true;
    rom = rom === 0 ? cfg.count - 1 : rom - 1;
    if (rom === start) {
      ctx.print('No good rom available.');
      return null;
    }
  }
  if (cfg.currentRom !== rom) cfg.currentRom = rom;
  if (update) await writeConfig(ctx.flash, l.configAddr, l.sectorSize, cfg);
  ctx.print(`Booting rom ${rom} (0x${cfg.roms[rom]!.toString(16)}).`);
  await ctx.sleep(20);
  const index = l.slots.findIndex((s) => s.app.off === cfg.roms[rom]);
  return { rom: index, cause };
}
