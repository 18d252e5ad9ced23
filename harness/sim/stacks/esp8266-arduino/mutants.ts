// Seeded bugs. Tests must catch each; an unknown name is a rig typo and fails loudly. Only bugs a
// signed build can show: there the signature covers every byte the MD5 does, so skipping the MD5
// check changes no outcome (an equivalent mutant, not listed).
import type { SimConfig } from '../../../rig/schema.ts';

export const MUTANTS = {
  'no-signature-check': 'Updater.end() skips the signature check, so a corrupt signed image is copied over the sketch',
  'command-cleared-before-copy': 'eboot clears the RTC command before copying (pre PR #6823): a warm reset mid-copy boots a half-copied sketch',
} as const satisfies Record<string, string>;

export type MutantName = keyof typeof MUTANTS;

export interface Mutation {
  has(name: MutantName): boolean;
}

export function mutationFor(config: SimConfig): Mutation {
  const name = config.mutant;
  if (name !== undefined && !(name in MUTANTS)) {
    throw new Error(`esp8266-arduino simulator: unknown mutant '${name}'; valid mutants: ${Object.keys(MUTANTS).join(', ')}`);
  }
  return { has: (m) => m === name };
}
