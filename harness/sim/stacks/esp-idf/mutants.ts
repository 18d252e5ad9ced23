// Seeded ESP-IDF bugs. The tests must catch each; an unknown name is a rig typo, so it fails loudly
// instead of silently testing the correct stack.
import type { SimConfig } from '../../../rig/schema.ts';

export const MUTANTS = {
  'crc-not-checked': 'otadata entries are accepted without comparing their crc, so a torn or half-erased entry counts',
  'no-abort-pending': 'the bootloader never turns PENDING_VERIFY into ABORTED, so an unconfirmed image keeps booting',
  'write-active-sector': 'esp_ota_set_boot_partition rewrites the active otadata sector instead of the inactive one',
  'no-image-verify': 'esp_ota_end and esp_ota_set_boot_partition accept the image without checking checksum and hash',
} as const satisfies Record<string, string>;

export type MutantName = keyof typeof MUTANTS;

export interface Mutation {
  has(name: MutantName): boolean;
}

export function mutationFor(config: SimConfig): Mutation {
  const name = config.mutant;
  if (name !== undefined && !(name in MUTANTS)) {
    throw new Error(`esp-idf simulator: unknown mutant '${name}'; valid mutants: ${Object.keys(MUTANTS).join(', ')}`);
  }
  return { has: (m) => m === name };
}

/** The otadata rules a build uses (shared by bootloader and app, as bootloader_common is). */
export const entryRules = (mut: Mutation) => ({ checkCrc: !mut.has('crc-not-checked') });
