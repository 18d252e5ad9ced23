// Seeded bugs. Tests must catch each; an unknown name is a rig typo and fails loudly.
import type { SimConfig } from '../../../rig/schema.ts';

export const MUTANTS = {
  'no-md5-check': 'Updater.end() ignores the expected MD5 (x-MD5 / espota), so an image damaged in transit would be staged',
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
