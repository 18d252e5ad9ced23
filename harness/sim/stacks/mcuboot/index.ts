// The simulated MCUboot + Zephyr board: swap-using-scratch bootloader and a small shell app.
import { bootOnFirstUse, type SimStack } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { layoutFor } from './layout.ts';
import { buildImage } from './image.ts';
import { MUTANTS, mutationFor } from './mutants.ts';
import { inspect, install } from './inspect.ts';

export const mcubootStack: SimStack = {
  name: 'mcuboot',
  mutants: { ...MUTANTS },
  flashGeometry(config: SimConfig) {
    mutationFor(config); // a mutant typo fails when the board is built, not at first boot
    const l = layoutFor(config);
    return { size: l.flashSize, sectorSize: l.sectorSize, writeSize: l.writeSize };
  },
  buildImage,
  install,
  inspect,
  ...bootOnFirstUse(() => import('./boot.ts')),
};

export { layoutFor } from './layout.ts';
export { MUTANTS } from './mutants.ts';
