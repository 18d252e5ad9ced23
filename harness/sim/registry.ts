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

/** Built images, by stack, build and config (a build is a pure function of them). */
const built = new Map<string, Uint8Array>();
const BUILT_MAX = 64;

/**
 * The stack with its builds remembered: a Playwright worker builds the rig's images when it loads
 * the config (validation), then each scenario's board builds its own again (~7 ms each, hundreds
 * per run). Every caller gets a copy of its own to change.
 */
function remembering(stack: SimStack): SimStack {
  return {
    ...stack,
    buildImage(build, config) {
      const key = JSON.stringify([stack.name, build, config]);
      let bytes = built.get(key);
      if (!bytes) {
        bytes = stack.buildImage(build, config);
        if (built.size >= BUILT_MAX) built.clear();
        built.set(key, bytes);
      }
      return bytes.slice();
    },
  };
}

const stacks: Partial<Record<StackName, SimStack>> = Object.fromEntries(
  Object.entries({
    mcuboot: mcubootStack,
    'esp8266-arduino': esp8266ArduinoStack,
    zerynth: zerynthStack,
    particle: particleStack,
    'esp-idf': espIdfStack,
    'mongoose-os': mongooseOsStack,
    rboot: rbootStack,
  }).map(([name, s]) => [name, remembering(s)]),
);

export function simStack(name: StackName, board: string): SimStack {
  const s = stacks[name];
  if (!s) throw new Error(`${board}: no simulator for stack "${name}" yet (simulated: ${simulatedStacks().join(', ')})`);
  return s;
}

/** The stack for a board about to be simulated: its boot loaded, so the first power-on boots at once. */
export async function loadSimStack(name: StackName, board: string): Promise<SimStack> {
  const s = simStack(name, board);
  await s.loadBoot?.();
  return s;
}

export const simulatedStacks = (): StackName[] => STACK_NAMES.filter((s) => stacks[s]);
