// Mongoose OS boot control on the ESP8266: everything lives in rboot_config. The updater sets
// previous_rom = current, current_rom = new, is_first_boot and fw_updated, boot_attempts 0; rBoot
// counts the first boot and falls back on the second, so the app has no tombstone to write. On a
// first boot the app merges the filesystem and arms the commit watchdog; the commit clears the
// flags; a revert points current_rom back at previous_rom. After rBoot's fallback the app sees
// is_first_boot without fw_updated and clears it, or the old ROM would count as unconfirmed.
import type { DeviceContext } from '../../stack.ts';
import type { BootInfo, MosLog, MosPlatform, Slot } from '../mongoose-os/platform.ts';
import type { RbootLayout } from './layout.ts';
import { defaultConfig, readConfig, writeConfig, type RbootConfig } from './config.ts';

const RESET_CAUSE: Record<string, string> = { sw: '4 (soft reset)', panic: '2 (exception)', wdt: '3 (soft wdt)' };

export class Esp8266Platform implements MosPlatform {
  readonly chip = 'esp8266';
  readonly files = { main: 'esp_main.c', updater: 'esp_updater.c' };
  private readonly cfg: RbootConfig | null;

  constructor(
    private readonly ctx: DeviceContext,
    private readonly l: RbootLayout,
    private readonly running: number,
    private readonly cause: string | null,
  ) {
    this.cfg = readConfig(ctx.flash, l.configAddr);
  }

  get slots(): readonly Slot[] {
    return this.l.slots;
  }
  get writeSize(): number {
    return this.l.writeSize;
  }
  get sectorSize(): number {
    return this.l.sectorSize;
  }

  info(): BootInfo {
    const c = this.cfg;
    const firstBoot = !!c && c.isFirstBoot && c.fwUpdated && c.currentRom === this.running;
    return {
      running: this.running,
      firstBoot,
      // Copying only what the new filesystem lacks makes a repeated merge a no-op: no flag needed.
      mergeFs: firstBoot,
      abandoned: !!c && c.isFirstBoot && !c.fwUpdated,
      revertSlot: firstBoot ? c.previousRom : 1 - this.running,
    };
  }

  banner(): { mosSuffix: string; lines: [string, string][] } {
    const flashMb = this.l.flashSize / 0x100000;
    return {
      mosSuffix: '',
      lines: [
        [`${this.files.main}:178`, 'CPU: ESP8266EX, 160 MHz, RAM: 52936 total, 49852 free'],
        [`${this.files.main}:180`, `SDK 2.2.1(6ab97e9); flash: ${flashMb >= 1 ? `${flashMb}M` : `${flashMb * 1024}K`}`],
        ['esp_exc.c:211', `Reset cause: ${this.cause ? (RESET_CAUSE[this.cause] ?? RESET_CAUSE.sw) : '0 (power on)'}`],
      ],
    };
  }

  crash(): string[] {
    return ['Fatal exception 28(LoadProhibitedCause):', 'epc1=0x4022d8a5, epc2=0x00000000, epc3=0x00000000, excvaddr=0x00000000, depc=0x00000000'];
  }

  hang(): string[] {
    return []; // the soft WDT resets silently; the next ROM banner says rst cause:4
  }

  async earlyInit(): Promise<void> {
    // rBoot already counted this attempt: nothing to tombstone.
  }

  async mergeDone(): Promise<void> {}

  async forgetAbandoned(log: MosLog): Promise<void> {
    log(`${this.files.updater}:301`, `Update was not committed, running rom ${this.running}`);
    await this.update((c) => ({ ...c, isFirstBoot: false }));
  }

  async setTrial(slot: number, log: MosLog): Promise<void> {
    log(`${this.files.updater}:262`, `Boot config: rom ${slot} next, previous ${this.running}`);
    await this.update((c) => ({ ...c, previousRom: this.running, currentRom: slot, isFirstBoot: true, fwUpdated: true, bootAttempts: 0 }));
  }

  async commit(log: MosLog): Promise<void> {
    await this.update((c) => ({ ...c, isFirstBoot: false, fwUpdated: false, bootAttempts: 0 }));
    log(`${this.files.updater}:318`, `Committed slot ${this.running}`);
  }

  async revert(log: MosLog): Promise<void> {
    const to = this.cfg?.previousRom ?? 1 - this.running;
    log(`${this.files.updater}:331`, `Reverting to slot ${to}`);
    await this.update((c) => ({ ...c, currentRom: to, isFirstBoot: false, fwUpdated: false, bootAttempts: 0 }));
  }

  /** Read-modify-write of the one config sector, as rboot_get_config / rboot_set_config do. */
  private async update(change: (c: RbootConfig) => RbootConfig): Promise<void> {
    // rBoot rewrote an invalid config before jumping here, so the default is only a safety net.
    const cur = readConfig(this.ctx.flash, this.l.configAddr) ?? defaultConfig(this.l.slots.map((s) => s.app.off));
    await writeConfig(this.ctx.flash, this.l.configAddr, this.l.sectorSize, change(cur));
  }
}
