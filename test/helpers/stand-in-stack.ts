// A stand-in firmware for tests of the console and transports: no flash content, no image, no
// inspection; only its `boot` (what it prints and serves) matters.
import type { DeviceContext, SimStack } from '../../harness/sim/stack.ts';

export function standInStack(name: SimStack['name'], boot: (ctx: DeviceContext) => Promise<void>, writeSize = 8): SimStack {
  return {
    name,
    mutants: {},
    flashGeometry: () => ({ size: 4096, sectorSize: 4096, writeSize }),
    buildImage: () => new Uint8Array(),
    install: () => undefined,
    inspect: () => ({ slot: null, version: null, detail: '' }),
    boot,
  };
}
