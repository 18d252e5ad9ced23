// The simulated Zerynth-style board: download to the filesystem and verify before the reboot,
// a resumable bootloader swap that keeps the old firmware as the backup, testing mode until the
// device manager is reached, and a restore of the backup on a reset in testing mode.
import { bootOnFirstUse, type SimStack } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { layoutFor } from './layout.ts';
import { buildImage } from './image.ts';
import { MUTANTS, mutationFor } from './mutants.ts';
import { inspect, install } from './inspect.ts';

export const zerynthStack: SimStack = {
  name: 'zerynth',
  mutants: { ...MUTANTS },
  flashGeometry(config: SimConfig) {
    mutationFor(config);
    const l = layoutFor(config);
    return { size: l.flashSize, sectorSize: l.sectorSize, writeSize: l.writeSize };
  },
  buildImage: (build, config) => buildImage(build, layoutFor(config).slotSize),
  install: (flash, image, config) => install(flash, layoutFor(config), image),
  inspect: (flash, config) => inspect(flash, layoutFor(config)),
  ...bootOnFirstUse(() => import('./boot.ts')),
};

export { MUTANTS } from './mutants.ts';
