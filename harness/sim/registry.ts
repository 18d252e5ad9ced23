// Simulated stacks: adding one is a new folder under stacks/ plus one line here.
import type { StackName } from '../rig/schema.ts';
import type { SimStack } from './stack.ts';
import { mcubootStack } from './stacks/mcuboot/index.ts';

const stacks: Partial<Record<StackName, SimStack>> = {
  mcuboot: mcubootStack,
};

export function simStack(name: StackName, board: string): SimStack {
  const s = stacks[name];
  if (!s) throw new Error(`${board}: no simulator for stack "${name}" yet (simulated: ${Object.keys(stacks).join(', ')})`);
  return s;
}

export const simulatedStacks = (): StackName[] => Object.keys(stacks);
