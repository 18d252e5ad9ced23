// The ESP-IDF 2nd stage bootloader (bootloader_utility.c): print the partition table, pick the
// otadata entry — with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE first PENDING_VERIFY → ABORTED, then
// NEW → PENDING_VERIFY for the chosen one; without it the entry is taken as it is — then load the
// chosen app, walking down to factory and up through the other OTA slots when one does not verify.
import type { DeviceContext } from '../../stack.ts';

/** CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE, from the board's firmware build options (on unless the rig says not). */
export const rollbackEnabled = (ctx: Pick<DeviceContext, 'config'>): boolean => ctx.config.firmware?.rollback !== false;
import type { EspLog } from './esp-log.ts';
import { entryRules, type Mutation } from './mutants.ts';
import { BOOTLOADER_OFFSET, PARTITION_TABLE_OFFSET, type Layout } from './layout.ts';
import { partitionSet, readTable, tableRow, type PartitionEntry, type PartitionSet } from './partition-table.ts';
import { OtaState, activeOtadata, entryAt, readOtadata, selectInvalid, writeEntry } from './otadata.ts';
import { parseHeader, spiModeName, verifyImage, HEADER_SIZE } from './image.ts';
import { IDF_VERSION } from './app-desc.ts';
import { Reset, beforeLoopingReset, chipReset } from './rom.ts';

const FACTORY_INDEX = -1;
/** Simulated load speed: flash read plus SHA-256, bytes per simulated millisecond. */
const LOAD_BYTES_PER_MS = 4000;

export interface Booted {
  app: PartitionEntry;
  parts: PartitionSet;
}

export async function runBootloader(ctx: DeviceContext, log: EspLog, layout: Layout, mut: Mutation): Promise<Booted> {
  const i = (s: string) => log('I', 'boot', s);
  i(`ESP-IDF ${IDF_VERSION} 2nd stage bootloader`);
  i('compile time Jan  1 2026 00:00:00');
  i('Multicore bootloader');
  i('chip revision: v3.0');
  const own = parseHeader(ctx.flash.read(BOOTLOADER_OFFSET, HEADER_SIZE));
  log('I', 'boot.esp32', `SPI Speed      : ${own.spiSpeed === 0xf ? 80 : 40}MHz`);
  log('I', 'boot.esp32', `SPI Mode       : ${spiModeName(own.spiMode)}`);
  log('I', 'boot.esp32', `SPI Flash Size : ${1 << own.spiSize}MB`);
  i('Enabling RNG early entropy source...');
  await ctx.sleep(20);

  const table = readTable(ctx.flash, PARTITION_TABLE_OFFSET, layout.flashSize);
  if (!table.ok) {
    log('E', 'flash_parts', table.error);
    log('E', 'boot', 'Failed to verify partition table');
    log('E', 'boot', 'load partition table error!');
    return bootloaderReset(ctx);
  }
  i('Partition Table:');
  i('## Label            Usage          Type ST Offset   Length');
  table.parts.forEach((p, n) => i(tableRow(n, p)));
  i('End of partition table');
  const parts = partitionSet(table.parts);

  const index = await selectBootPartition(ctx, log, parts, mut);
  const app = await loadBootImage(ctx, log, parts, index);
  i('Disabling RNG early entropy source...');
  return { app, parts };
}

/** bootloader_utility_get_selected_boot_partition. Rollback bookkeeping is logged at DEBUG only. */
async function selectBootPartition(ctx: DeviceContext, log: EspLog, parts: PartitionSet, mut: Mutation): Promise<number> {
  const { otadata, factory, ota } = parts;
  if (!otadata) return FACTORY_INDEX;
  const entries = readOtadata(ctx.flash, otadata);
  const rollback = rollbackEnabled(ctx);
  if (rollback && !mut.has('no-abort-pending')) {
    for (const n of [0, 1] as const) {
      // An image that already had its one trial boot and was not confirmed: never again.
      if (entries[n].state === OtaState.PENDING_VERIFY) {
        entries[n] = { ...entries[n], state: OtaState.ABORTED };
        await writeEntry(ctx.flash, otadata, n, entries[n]);
      }
    }
  }
  if ((selectInvalid(entries[0]) && selectInvalid(entries[1])) || ota.length === 0) {
    if (factory) {
      log('I', 'boot', 'Defaulting to factory image');
      return FACTORY_INDEX;
    }
    log('I', 'boot', 'No factory image, trying OTA 0');
    return 0;
  }
  const active = activeOtadata(entries, entryRules(mut));
  if (active !== -1) {
    const e = entryAt(entries, active);
    const index = ((e.seq - 1) >>> 0) % ota.length;
    if (rollback && e.state === OtaState.NEW) {
      // Its one trial boot starts now: a reset before the app confirms aborts it.
      await writeEntry(ctx.flash, otadata, active, { ...e, state: OtaState.PENDING_VERIFY });
    }
    return index;
  }
  log('E', 'boot', factory ? 'ota data partition invalid, falling back to factory' : 'ota data partition invalid and no factory, will try all partitions');
  return FACTORY_INDEX;
}

/** bootloader_utility_load_boot_image: start at `start`, down to factory, then up the OTA slots. */
async function loadBootImage(ctx: DeviceContext, log: EspLog, parts: PartitionSet, start: number): Promise<PartitionEntry> {
  const at = (n: number) => (n === FACTORY_INDEX ? parts.factory : parts.ota[n]) ?? null;
  const order: number[] = [];
  for (let n = start; n >= FACTORY_INDEX; n--) order.push(n);
  for (let n = start + 1; n < parts.ota.length; n++) order.push(n);
  for (const n of order) {
    const part = at(n);
    if (!part) continue;
    const check = verifyImage(ctx.flash, part.offset, part.size, { mode: 'load', onSegment: (line) => log('I', 'esp_image', line) });
    await ctx.sleep(check.ok ? check.length / LOAD_BYTES_PER_MS : 1);
    if (check.ok) {
      log('I', 'boot', `Loaded app from partition at offset 0x${part.offset.toString(16)}`);
      return part;
    }
    log('E', 'esp_image', check.error);
    log('E', 'boot', n === FACTORY_INDEX ? 'Factory app partition is not bootable' : `OTA app partition slot ${n} is not bootable`);
  }
  log('E', 'boot', 'No bootable app partitions in the partition table');
  return bootloaderReset(ctx);
}

/** bootloader_reset: a software system reset; the ROM starts over. */
async function bootloaderReset(ctx: DeviceContext): Promise<never> {
  await ctx.sleep(100);
  await beforeLoopingReset(ctx);
  return chipReset(ctx, Reset.SW, 'bootloader_reset');
}
