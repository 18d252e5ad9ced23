// The simulated Particle-style board: the application keeps running while a module downloads;
// nothing changes until it is received and verified; the bootloader then copies it into place;
// a cut during that copy ends in safe mode (recoverable by sending the update again).
import { bootOnFirstUse, type SimStack } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { layoutFor } from './layout.ts';
import { buildModule } from './module.ts';
import { MUTANTS, mutationFor } from './mutants.ts';
import { inspect, install } from './inspect.ts';

export const particleStack: SimStack = {
  name: 'particle',
  mutants: { ...MUTANTS },
  flashGeometry(config: SimConfig) {
    mutationFor(config);
    const l = layoutFor(config);
    return { size: l.flashSize, sectorSize: l.sectorSize, writeSize: l.writeSize };
  },
  buildImage: (build, config) => {
    const l = layoutFor(config);
    return buildModule(build, l.user, l.slotSize);
  },
  install: (flash, image, config) => install(flash, layoutFor(config), image),
  inspect: (flash, config) => inspect(flash, layoutFor(config)),
  ...bootOnFirstUse(() => import('./boot.ts')),
};

export { MUTANTS } from './mutants.ts';
