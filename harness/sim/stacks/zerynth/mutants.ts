// Seeded bugs. Tests must catch each; an unknown name is a rig typo and fails loudly.
import type { SimConfig } from '../../../rig/schema.ts';

export const MUTANTS = {
  'no-resume': 'the bootloader ignores the swap journal: a swap cut by power loss starts again from the first chunk',
  'accept-without-connect': 'new firmware accepts itself at boot instead of when it reaches the device manager',
  'journal-before-copy': 'each journal entry is written before its copy, so a cut resumes past a half-copied chunk',
} as const satisfies Record<string, string>;

export type MutantName = keyof typeof MUTANTS;

export interface Mutation {
  has(name: MutantName): boolean;
}

export function mutationFor(config: SimConfig): Mutation {
  const name = config.mutant;
  if (name !== undefined && !(name in MUTANTS)) {
    throw new Error(`zerynth simulator: unknown mutant '${name}'; valid mutants: ${Object.keys(MUTANTS).join(', ')}`);
  }
  return { has: (m) => m === name };
}
