// The simulated ESP8266 Arduino board: mask ROM, eboot, one sketch slot, the Updater staging
// below the filesystem, and the eboot COPY_RAW command in RTC memory.
import { bootOnFirstUse, type SimStack } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { FLASH_SIZE, SECTOR, WRITE_SIZE, checkConfig } from './layout.ts';
import { buildSketch } from './image.ts';
import { MUTANTS, mutantApplies, mutationFor } from './mutants.ts';
import { inspect, install } from './inspect.ts';

export const esp8266ArduinoStack: SimStack = {
  name: 'esp8266-arduino',
  rom: 'esp8266',
  mutants: { ...MUTANTS },
  mutantApplies,
  flashGeometry(config: SimConfig) {
    checkConfig(config);
    mutationFor(config); // a mutant typo fails when the board is built
    return { size: FLASH_SIZE, sectorSize: SECTOR, writeSize: WRITE_SIZE };
  },
  buildImage: (build, config) => buildSketch(build, config),
  install: (flash, image) => install(flash, image),
  inspect: (flash) => inspect(flash),
  ...bootOnFirstUse(() => import('./boot.ts')),
};

export { MUTANTS } from './mutants.ts';
