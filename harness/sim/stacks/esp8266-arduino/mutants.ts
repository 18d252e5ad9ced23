// Seeded bugs. Tests must catch each; an unknown name is a rig typo and fails loudly. Some show
// on one kind of build only: on a signed build the signature covers every byte the MD5 does, so
// skipping the MD5 check changes no outcome there; an unsigned build has no signature to skip.
import type { SimConfig } from '../../../rig/schema.ts';
import type { SimDeviceConfig } from '../../stack.ts';
import { signedBuild } from './signing.ts';

export const MUTANTS = {
  'no-md5-check': 'Updater.end() ignores the expected MD5 (x-MD5 / espota): on an unsigned build an image damaged in transit is staged and copied',
  'no-signature-check': 'Updater.end() skips the signature check, so a corrupt signed image is copied over the sketch',
  'command-cleared-before-copy': 'eboot clears the RTC command before copying (pre PR #6823): a warm reset mid-copy boots a half-copied sketch',
} as const satisfies Record<string, string>;

export type MutantName = keyof typeof MUTANTS;

export function mutantApplies(mutant: string, config: SimDeviceConfig): boolean {
  if (mutant === 'no-md5-check') return !signedBuild(config);
  if (mutant === 'no-signature-check') return signedBuild(config);
  return true;
}

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
