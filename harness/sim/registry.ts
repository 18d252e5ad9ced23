// Simulated stacks: adding one is a new folder under stacks/ plus one line here.
import { STACK_NAMES, type StackName } from '../rig/stack-name.ts';
import type { SimStack } from './stack.ts';
import { mcubootStack } from './stacks/mcuboot/index.ts';
import { esp8266ArduinoStack } from './stacks/esp8266-arduino/index.ts';
import { zerynthStack } from './stacks/zerynth/index.ts';
import { particleStack } from './stacks/particle/index.ts';
import { espIdfStack } from './stacks/esp-idf/index.ts';
import { mongooseOsStack } from './stacks/mongoose-os/index.ts';
import { rbootStack } from './stacks/rboot/index.ts';

const stacks: Partial<Record<StackName, SimStack>> = {
  mcuboot: mcubootStack,
  'esp8266-arduino': esp8266ArduinoStack,
  zerynth: zerynthStack,
  particle: particleStack,
  'esp-idf': espIdfStack,
  'mongoose-os': mongooseOsStack,
  rboot: rbootStack,
};

export function simStack(name: StackName, board: string): SimStack {
  const s = stacks[name];
  if (!s) throw new Error(`${board}: no simulator for stack "${name}" yet (simulated: ${simulatedStacks().join(', ')})`);
  return s;
}

export const simulatedStacks = (): StackName[] => STACK_NAMES.filter((s) => stacks[s]);
