// The app side of updates, as components/app_update/esp_ota_ops.c does it: write the passive
// partition (sequential erase), validate it, then point otadata at it by rewriting the INACTIVE
// sector; commit/rollback rewrite the ACTIVE sector. Every otadata change is one sector's
// erase-then-write, the window a power cut can hit.
import type { DeviceFlash } from '../../stack.ts';
import type { EspLog } from './esp-log.ts';
import type { Mutation } from './mutants.ts';
import { entryRules } from './mutants.ts';
import { isOtaApp, PART_SUBTYPE, type PartitionEntry, type PartitionSet } from './partition-table.ts';
import { OtaState, activeOtadata, entryAt, newEntry, readOtadata, selectValid, writeEntry, type EntryRules, type OtaEntry } from './otadata.ts';
import { ESP_IMAGE_MAGIC, verifyImage } from './image.ts';
import { SECTOR_SIZE } from './layout.ts';

const ERR_CODES = {
  ESP_FAIL: -1,
  ESP_ERR_INVALID_ARG: 0x102,
  ESP_ERR_INVALID_STATE: 0x103,
  ESP_ERR_INVALID_SIZE: 0x104,
  ESP_ERR_NOT_FOUND: 0x105,
  ESP_ERR_NOT_SUPPORTED: 0x106,
  ESP_ERR_OTA_PARTITION_CONFLICT: 0x1501,
  ESP_ERR_OTA_VALIDATE_FAILED: 0x1503,
  ESP_ERR_OTA_ROLLBACK_FAILED: 0x1505,
  ESP_ERR_OTA_ROLLBACK_INVALID_STATE: 0x1506,
} as const;
export type EspErrName = keyof typeof ERR_CODES;

export class EspError extends Error {
  readonly code: number;
  constructor(readonly err: EspErrName, detail?: string) {
    super(detail ? `${err}: ${detail}` : err);
    this.name = 'EspError';
    this.code = ERR_CODES[err];
  }
}

/** OTA_WITH_SEQUENTIAL_WRITES erases each sector as the write reaches it; OTA_SIZE_UNKNOWN erases the partition up front. */
export type ImageSize = number | 'unknown' | 'sequential';

export interface OtaHandle {
  readonly part: PartitionEntry;
  /** Bytes accepted so far (esp_ota_handle wrote_size + partial bytes). */
  wrote: number;
  erasedTo: number;
  partial: Uint8Array;
  sequential: boolean;
  open: boolean;
}

export interface OtaEnv {
  flash: DeviceFlash;
  parts: PartitionSet;
  running: PartitionEntry;
  log: EspLog;
  mut: Mutation;
  writeSize: number;
  /** CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE: a new image is set NEW (one trial boot) rather than left UNDEFINED. */
  rollback: boolean;
  /** esp_restart(): ends this boot. */
  restart(): never;
  sleep(simMs: number): Promise<void>;
}

export class EspOta {
  private readonly rules: EntryRules;
  constructor(private readonly env: EspOtaEnvChecked) {
    this.rules = entryRules(env.mut);
  }

  static open(env: OtaEnv): EspOta {
    if (!env.parts.otadata) throw new EspError('ESP_ERR_NOT_FOUND', 'no otadata partition');
    return new EspOta({ ...env, otadata: env.parts.otadata });
  }

  /** A moment for the UART to send what was logged (esp_restart does not wait for it). */
  drain(): Promise<void> {
    return this.env.sleep(50);
  }

  /** esp_restart(). */
  restartNow(): never {
    return this.env.restart();
  }

  get running(): PartitionEntry {
    return this.env.running;
  }

  /** esp_ota_get_next_update_partition(NULL): the OTA slot after the running one, else the first. */
  nextUpdatePartition(): PartitionEntry | null {
    const ota = this.env.parts.ota;
    const i = ota.findIndex((p) => p.offset === this.env.running.offset);
    return ota[i + 1] ?? ota[0] ?? null;
  }

  /** esp_ota_get_state_partition: the first entry whose seq maps to the slot, valid or not (as upstream). */
  stateOf(part: PartitionEntry): number {
    if (!isOtaApp(part)) throw new EspError('ESP_ERR_NOT_SUPPORTED');
    const count = this.env.parts.ota.length;
    const slot = part.subtype - PART_SUBTYPE.OTA_0;
    for (const e of this.otadata()) if (((e.seq - 1) >>> 0) % count === slot) return e.state;
    throw new EspError('ESP_ERR_NOT_FOUND');
  }

  /** esp_ota_get_boot_partition: what otadata selects now (factory when nothing is valid). */
  bootPartition(): PartitionEntry | null {
    const entries = this.otadata();
    const active = activeOtadata(entries, this.rules);
    if (active < 0) return this.env.parts.factory ?? this.env.parts.ota[0] ?? null;
    return this.env.parts.ota[((entryAt(entries, active).seq - 1) >>> 0) % this.env.parts.ota.length] ?? null;
  }

  async begin(part: PartitionEntry, size: ImageSize): Promise<OtaHandle> {
    if (!isOtaApp(part)) throw new EspError('ESP_ERR_INVALID_ARG', `${part.label} is not an OTA app partition`);
    if (part.offset === this.env.running.offset) throw new EspError('ESP_ERR_OTA_PARTITION_CONFLICT');
    // CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE: no new update before the running one is confirmed.
    if (this.stateOrNull(this.env.running) === OtaState.PENDING_VERIFY) {
      this.env.log('E', 'esp_ota_ops', 'Running app has not confirmed state (ESP_OTA_IMG_PENDING_VERIFY)');
      throw new EspError('ESP_ERR_OTA_ROLLBACK_INVALID_STATE');
    }
    if (typeof size === 'number' && size > part.size) throw new EspError('ESP_ERR_INVALID_SIZE', `${size} bytes exceed ${part.label}`);
    const h: OtaHandle = { part, wrote: 0, erasedTo: 0, partial: new Uint8Array(0), sequential: size === 'sequential', open: true };
    if (size !== 'sequential') {
      const len = size === 'unknown' || size === 0 ? part.size : Math.ceil(size / SECTOR_SIZE) * SECTOR_SIZE;
      await eraseRange(this.env.flash, part.offset, len);
      h.erasedTo = len;
    }
    return h;
  }

  async write(h: OtaHandle, data: Uint8Array): Promise<void> {
    if (!h.open) throw new EspError('ESP_ERR_INVALID_ARG', 'handle not open');
    if (data.length === 0) return;
    if (h.wrote === 0 && data[0] !== ESP_IMAGE_MAGIC) {
      this.env.log('E', 'esp_ota_ops', `OTA image has invalid magic byte (expected 0xE9, saw 0x${data[0]!.toString(16).padStart(2, '0')})`);
      throw new EspError('ESP_ERR_OTA_VALIDATE_FAILED');
    }
    if (h.wrote + data.length > h.part.size) throw new EspError('ESP_ERR_INVALID_SIZE', `image larger than ${h.part.label}`);
    const end = h.wrote + data.length;
    if (h.sequential && end > h.erasedTo) {
      const to = Math.ceil(end / SECTOR_SIZE) * SECTOR_SIZE;
      await eraseRange(this.env.flash, h.part.offset + h.erasedTo, to - h.erasedTo);
      h.erasedTo = to;
    }
    if (end > h.erasedTo) throw new EspError('ESP_ERR_INVALID_SIZE', 'write past the erased range');
    // Flash takes whole write units: keep the unaligned tail until more bytes or esp_ota_end.
    const buf = concat(h.partial, data);
    const base = h.wrote - h.partial.length;
    const aligned = buf.length - (buf.length % this.env.writeSize);
    if (aligned > 0) await this.env.flash.program(h.part.offset + base, buf.subarray(0, aligned));
    h.partial = buf.slice(aligned);
    h.wrote = end;
  }

  /** esp_ota_end: flush, then esp_image_verify the whole partition. */
  async end(h: OtaHandle): Promise<void> {
    if (!h.open) throw new EspError('ESP_ERR_INVALID_ARG', 'handle not open');
    h.open = false;
    if (h.wrote === 0) throw new EspError('ESP_ERR_INVALID_ARG', 'nothing written');
    if (h.partial.length) {
      const pad = new Uint8Array(this.env.writeSize).fill(0xff);
      pad.set(h.partial);
      await this.env.flash.program(h.part.offset + h.wrote - h.partial.length, pad);
      h.partial = new Uint8Array(0);
    }
    this.validate(h.part);
  }

  abort(h: OtaHandle): void {
    h.open = false; // esp_ota_abort frees the handle; the half-written partition stays as it is
  }

  /** esp_ota_set_boot_partition: validate, then factory = erase otadata, OTA slot = esp_rewrite_ota_data. */
  async setBootPartition(part: PartitionEntry): Promise<void> {
    this.validate(part);
    const otadata = this.env.otadata;
    if (part.subtype === PART_SUBTYPE.FACTORY) {
      await eraseRange(this.env.flash, otadata.offset, otadata.size);
      return;
    }
    if (!isOtaApp(part)) throw new EspError('ESP_ERR_INVALID_ARG');
    const count = this.env.parts.ota.length;
    const id = part.subtype - PART_SUBTYPE.OTA_0;
    const entries = this.otadata();
    const active = activeOtadata(entries, this.rules);
    let next: number;
    let seq: number;
    if (active !== -1) {
      // The smallest seq above the active one that maps to `id`.
      let i = 0;
      while (entryAt(entries, active).seq > ((id + 1) % count) + i * count) i++;
      seq = ((id + 1) % count) + i * count;
      next = this.env.mut.has('write-active-sector') ? active : active ^ 1;
    } else {
      next = 0;
      seq = id + 1;
    }
    const state = this.env.rollback ? OtaState.NEW : OtaState.UNDEFINED;
    await writeEntry(this.env.flash, otadata, next, newEntry(seq, state, entryAt(entries, next)));
  }

  /** esp_ota_mark_app_valid_cancel_rollback: rewrite the active entry as VALID. */
  async markValid(): Promise<'marked' | 'already'> {
    const entries = this.otadata();
    const active = activeOtadata(entries, this.rules);
    if (active === -1 || this.env.parts.ota.length === 0) {
      this.env.log('E', 'esp_ota_ops', 'Running firmware is factory');
      throw new EspError('ESP_FAIL');
    }
    const e = entryAt(entries, active);
    if (e.state === OtaState.VALID) return 'already';
    await writeEntry(this.env.flash, this.env.otadata, active, { ...e, state: OtaState.VALID });
    return 'marked';
  }

  /** esp_ota_mark_app_invalid_rollback_and_reboot. */
  async markInvalidAndReboot(): Promise<never> {
    const entries = this.otadata();
    const active = activeOtadata(entries, this.rules);
    if (active === -1 || this.env.parts.ota.length === 0) {
      this.env.log('E', 'esp_ota_ops', 'Running firmware is factory');
      throw new EspError('ESP_FAIL');
    }
    if (!this.rollbackPossible(entries, active)) {
      this.env.log('E', 'esp_ota_ops', 'Rollback is not possible, do not have any suitable apps in slots');
      throw new EspError('ESP_ERR_OTA_ROLLBACK_FAILED');
    }
    await writeEntry(this.env.flash, this.env.otadata, active, { ...entryAt(entries, active), state: OtaState.INVALID });
    this.env.log('I', 'esp_ota_ops', 'Rollback to previously worked partition. Restart.');
    this.env.restart();
  }

  otadata(): [OtaEntry, OtaEntry] {
    return readOtadata(this.env.flash, this.env.otadata);
  }

  stateOrNull(part: PartitionEntry): number | null {
    try {
      return this.stateOf(part);
    } catch {
      return null;
    }
  }

  /** esp_ota_check_rollback_is_possible: the other entry's slot, or factory, holds a valid image. */
  private rollbackPossible(entries: [OtaEntry, OtaEntry], active: number): boolean {
    const other = entryAt(entries, active ^ 1);
    const { factory, ota } = this.env.parts;
    if (!selectValid(other, this.rules)) return factory !== null && this.imageOk(factory);
    const part = ota[((other.seq - 1) >>> 0) % ota.length];
    return part !== undefined && this.imageOk(part);
  }

  private imageOk(part: PartitionEntry): boolean {
    return verifyImage(this.env.flash, part.offset, part.size, { mode: 'verify' }).ok;
  }

  /** esp_image_verify(ESP_IMAGE_VERIFY): logs each segment, and the reason when it fails. */
  private validate(part: PartitionEntry): void {
    const check = verifyImage(this.env.flash, part.offset, part.size, {
      mode: 'verify',
      onSegment: (line) => this.env.log('I', 'esp_image', line),
      skipIntegrity: this.env.mut.has('no-image-verify'),
    });
    if (!check.ok) {
      this.env.log('E', 'esp_image', check.error);
      throw new EspError('ESP_ERR_OTA_VALIDATE_FAILED', check.error);
    }
  }
}

interface EspOtaEnvChecked extends OtaEnv {
  otadata: PartitionEntry;
}

/** esp_flash_erase_region: 64 KiB block erases where aligned, 4 KiB sector erases elsewhere. */
export async function eraseRange(flash: DeviceFlash, addr: number, len: number): Promise<void> {
  const BLOCK = 0x10000;
  for (let a = addr; a < addr + len; ) {
    const n = a % BLOCK === 0 && addr + len - a >= BLOCK ? BLOCK : SECTOR_SIZE;
    await flash.erase(a, n);
    a += n;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
