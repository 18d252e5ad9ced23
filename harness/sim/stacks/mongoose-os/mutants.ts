// Seeded bugs. The application-level ones exist on every Mongoose OS port; each port adds its
// own boot-control bugs. An unknown name is a rig typo and fails loudly when the board is built.
import type { SimConfig } from '../../../rig/schema.ts';

export const APP_MUTANTS = {
  'commit-before-selftest': 'the first boot commits before the app has initialised, so a crashing update is made permanent',
  'no-fs-merge': 'the first boot does not copy the old filesystem\'s files: device config (conf9.json) is lost on update',
} as const satisfies Record<string, string>;

export const ESP32_MUTANTS = {
  ...APP_MUTANTS,
  'no-tombstone': 'the first boot does not set the boot partition back to the old slot: a reset before commit keeps the uncommitted image',
  'flag-after-otadata': 'the updater switches otadata before writing the FIRST_BOOT flag: a cut between them boots the new image as committed',
} as const satisfies Record<string, string>;

export interface Mutation {
  has(name: string): boolean;
}

export function mutationFor(stack: string, table: Record<string, string>, config: SimConfig): Mutation {
  const name = config.mutant;
  if (name !== undefined && !(name in table)) {
    throw new Error(`${stack} simulator: unknown mutant '${name}'; valid mutants: ${Object.keys(table).join(', ')}`);
  }
  return { has: (m) => m === name };
}
