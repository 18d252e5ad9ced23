// The simulated ESP-IDF board (ESP32, rollback enabled): ROM, 2nd stage bootloader choosing a
// partition through otadata, and an app that updates itself with esp_https_ota.
import { bootOnFirstUse, type SimStack } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { layoutFor } from './layout.ts';
import { buildAppImage } from './app-desc.ts';
import { MUTANTS, mutationFor } from './mutants.ts';
import { inspect, install } from './inspect.ts';

export const espIdfStack: SimStack = {
  name: 'esp-idf',
  rom: 'esp32',
  mutants: { ...MUTANTS },
  flashGeometry(config: SimConfig) {
    mutationFor(config); // a mutant typo fails when the board is built, not at first boot
    const l = layoutFor(config);
    return { size: l.flashSize, sectorSize: l.sectorSize, writeSize: l.writeSize };
  },
  buildImage: buildAppImage,
  install,
  inspect,
  ...bootOnFirstUse(() => import('./boot.ts')),
};

export { layoutFor } from './layout.ts';
export { MUTANTS } from './mutants.ts';
