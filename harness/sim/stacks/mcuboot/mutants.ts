// Seeded bootloader bugs. Scenarios must catch each of them; an unknown name is a rig typo, so it
// fails loudly instead of silently testing the correct bootloader.
import type { SimConfig } from '../../../rig/schema.ts';

export const MUTANTS = {
  'swap-not-resumed': 'swap status is ignored at boot: an interrupted swap restarts from a fresh swap-type decision',
  'no-hash-check': 'the SHA256 TLV is never verified, so a corrupted image is swapped in and booted',
  'revert-skipped': 'an unconfirmed test image is never reverted (the REVERT row of the swap table is missing)',
  'copy-done-first': 'copy_done is written before the last region is swapped, so a cut there looks like a finished swap',
  'record-before-copy': 'each swap-status record is written before its copy, so a cut resumes past a half-copied sector',
} as const satisfies Record<string, string>;

export type MutantName = keyof typeof MUTANTS;

export interface Mutation {
  has(name: MutantName): boolean;
}

export function mutationFor(config: SimConfig): Mutation {
  const name = config.mutant;
  if (name !== undefined && !(name in MUTANTS)) {
    throw new Error(`mcuboot simulator: unknown mutant '${name}'; valid mutants: ${Object.keys(MUTANTS).join(', ')}`);
  }
  return { has: (m) => m === name };
}
