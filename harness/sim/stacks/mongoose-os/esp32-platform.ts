// Mongoose OS boot control on the ESP32 (esp32_updater.c, facts §C): ESP-IDF otadata picks the
// slot, and the NVS value mgos/update = old_slot | new_slot << 4 | FIRST_BOOT | MERGE_FS says an
// update is on trial. The first boot at once sets the boot partition back to the old slot (the
// tombstone), so any reset before the commit returns there; the commit sets it to the new slot
// again. Order matters for power loss: the flag is written before the otadata switch, so a cut
// between them leaves the old slot booting with a stale flag, which the app then forgets.
import type { DeviceContext } from '../../stack.ts';
import type { BootInfo, MosLog, MosPlatform, Slot } from './platform.ts';
import type { Esp32Layout } from './esp32-layout.ts';
import { setBootSlot } from './esp32-otadata.ts';
import { nvsRead, nvsSet } from './esp32-nvs.ts';
import { IDF_VERSION } from './esp32-boot.ts';
import type { Mutation } from './mutants.ts';

export const NVS_KEY = 'mgos/update';
export const FIRST_BOOT = 0x100;
export const MERGE_FS = 0x200;

export function decodeFlag(v: number | undefined): { old: number; new: number; firstBoot: boolean; mergeFs: boolean } {
  const f = v ?? 0;
  return { old: f & 0xf, new: (f >> 4) & 0xf, firstBoot: (f & FIRST_BOOT) !== 0, mergeFs: (f & MERGE_FS) !== 0 };
}

export class Esp32Platform implements MosPlatform {
  readonly chip = 'esp32';
  readonly files = { main: 'esp32_main.c', updater: 'esp32_updater.c' };
  private flag: number;

  constructor(
    private readonly ctx: DeviceContext,
    private readonly l: Esp32Layout,
    private readonly running: number,
    private readonly mut: Mutation,
  ) {
    this.flag = nvsRead(ctx.flash, l.nvs, l.sectorSize).get(NVS_KEY) ?? 0;
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
    const f = decodeFlag(this.flag);
    const firstBoot = f.firstBoot && f.new === this.running;
    return {
      running: this.running,
      firstBoot,
      mergeFs: firstBoot && f.mergeFs,
      abandoned: f.firstBoot && f.new !== this.running,
      revertSlot: f.firstBoot ? f.old : 1 - this.running,
    };
  }

  banner(info: BootInfo): { mosSuffix: string; lines: [string, string][] } {
    const flashMb = Math.max(1, this.l.flashSize / 0x100000);
    return {
      mosSuffix: info.firstBoot ? ', first boot' : '',
      lines: [
        [`${this.files.main}:178`, `ESP-IDF ${IDF_VERSION}`],
        [`${this.files.main}:180`, `Boot partition: ${this.l.slots[this.running]!.name}; flash: ${flashMb}M; RAM: 290120 total, 251384 free`],
      ],
    };
  }

  crash(): string[] {
    return [
      "Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.",
      'Core 0 register dump:',
      'PC      : 0x400d2f4b  PS      : 0x00060f30  A0      : 0x800d1e2c  A1      : 0x3ffb1f70',
      'Rebooting...',
    ];
  }

  hang(): string[] {
    return ['E (8123) task_wdt: Task watchdog got triggered. The following tasks did not reset the watchdog in time:', 'E (8123) task_wdt:  - IDLE0 (CPU 0)'];
  }

  async earlyInit(log: MosLog): Promise<void> {
    if (this.mut.has('no-tombstone')) return;
    await this.setBoot(decodeFlag(this.flag).old, log);
  }

  async mergeDone(): Promise<void> {
    await this.setFlag(this.flag & ~MERGE_FS);
  }

  async forgetAbandoned(log: MosLog): Promise<void> {
    log(`${this.files.updater}:388`, `Update to slot ${decodeFlag(this.flag).new} was not committed, running slot ${this.running}`);
    await this.setFlag(0);
  }

  async setTrial(slot: number, log: MosLog): Promise<void> {
    const flag = this.running | (slot << 4) | FIRST_BOOT | MERGE_FS;
    if (this.mut.has('flag-after-otadata')) {
      await this.setBoot(slot, log);
      await this.setFlag(flag);
    } else {
      await this.setFlag(flag);
      await this.setBoot(slot, log);
    }
  }

  async commit(log: MosLog): Promise<void> {
    await this.setBoot(this.running, log);
    await this.setFlag(0);
    log(`${this.files.updater}:431`, `Committed slot ${this.running}`);
  }

  async revert(log: MosLog): Promise<void> {
    const old = decodeFlag(this.flag).old;
    log(`${this.files.updater}:452`, `Reverting to slot ${old}`);
    await this.setBoot(old, log);
    await this.setFlag(0);
  }

  private async setBoot(slot: number, log: MosLog): Promise<void> {
    log(`${this.files.updater}:140`, `Setting boot partition to ${this.l.slots[slot]!.name}`);
    await setBootSlot(this.ctx.flash, this.l.otadata, this.l.sectorSize, this.l.slots.length, slot);
  }

  private async setFlag(v: number): Promise<void> {
    await nvsSet(this.ctx.flash, this.l.nvs, this.l.sectorSize, NVS_KEY, v);
    this.flag = v;
  }
}
