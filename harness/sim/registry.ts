// Simulated stacks: adding one is a new folder under stacks/ plus one line here. A stack's modules
// load when a board of that stack is built or opened: a Playwright worker simulates one board and
// loads that stack only; a runner that lists tests, or validates a rig without building it, none.
import { STACK_NAMES, type StackName } from '../rig/stack-name.ts';
import type { SimStack } from './stack.ts';

const STACKS: Partial<Record<StackName, () => Promise<SimStack>>> = {
  mcuboot: async () => (await import('./stacks/mcuboot/index.ts')).mcubootStack,
  'esp8266-arduino': async () => (await import('./stacks/esp8266-arduino/index.ts')).esp8266ArduinoStack,
  zerynth: async () => (await import('./stacks/zerynth/index.ts')).zerynthStack,
  particle: async () => (await import('./stacks/particle/index.ts')).particleStack,
  'esp-idf': async () => (await import('./stacks/esp-idf/index.ts')).espIdfStack,
  'mongoose-os': async () => (await import('./stacks/mongoose-os/index.ts')).mongooseOsStack,
  rboot: async () => (await import('./stacks/rboot/index.ts')).rbootStack,
};

/** Built images, by stack, build and config (a build is a pure function of them). */
const built = new Map<string, Uint8Array>();
const BUILT_MAX = 64;

/**
 * The stack with its builds remembered: the Playwright runner builds the rig's images to check
 * them, then each scenario's board builds its own again (~7 ms each, hundreds per run). Every
 * caller gets a copy of its own to change.
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

const loaded = new Map<StackName, Promise<SimStack>>();

/** The stack's simulator (to build, install or inspect images), its modules loaded on first use. */
export function simStack(name: StackName, board: string): Promise<SimStack> {
  const load = STACKS[name];
  if (!load) return Promise.reject(new Error(`${board}: no simulator for stack "${name}" yet (simulated: ${simulatedStacks().join(', ')})`));
  let s = loaded.get(name);
  if (!s) loaded.set(name, (s = load().then(remembering)));
  return s;
}

/** The stack for a board about to be simulated: its boot loaded too, so the first power-on boots at once. */
export async function loadSimStack(name: StackName, board: string): Promise<SimStack> {
  const s = await simStack(name, board);
  await s.loadBoot?.();
  return s;
}

export const simulatedStacks = (): StackName[] => STACK_NAMES.filter((s) => STACKS[s]);
