// Seeded bugs. Tests must catch each; an unknown name is a rig typo and fails loudly.
import type { SimConfig } from '../../../rig/schema.ts';

export const MUTANTS = {
  'slot-marked-after-copy': 'the bootloader clears the module slot after the copy, so a copy cut by power loss is retried instead of ending in safe mode',
  'no-verify': 'neither the system after the download nor the bootloader before the copy checks the module: a corrupt module is copied',
  'updates-not-deferred': 'System.disableUpdates() is ignored: an update downloads and resets the device while it is busy',
} as const satisfies Record<string, string>;

export type MutantName = keyof typeof MUTANTS;

export interface Mutation {
  has(name: MutantName): boolean;
}

export function mutationFor(config: SimConfig): Mutation {
  const name = config.mutant;
  if (name !== undefined && !(name in MUTANTS)) {
    throw new Error(`particle simulator: unknown mutant '${name}'; valid mutants: ${Object.keys(MUTANTS).join(', ')}`);
  }
  return { has: (m) => m === name };
}
