// The simulated Mongoose OS board (ESP32 port): ESP32 ROM and ESP-IDF bootloader choose a slot
// from otadata, then the Mongoose OS app runs with its boot control in otadata + NVS. The
// ESP8266 port (Cesanta's rBoot) is the 'rboot' stack in ../rboot and shares the app core.
import { bootOnFirstUse, type SimStack, type ImageBuild } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { esp32Layout } from './esp32-layout.ts';
import { installEsp32, inspectEsp32 } from './esp32-inspect.ts';
import { buildFirmware } from './firmware.ts';
import { ESP32_MUTANTS, mutationFor } from './mutants.ts';

export const mongooseOsStack: SimStack = {
  name: 'mongoose-os',
  mutants: { ...ESP32_MUTANTS },
  flashGeometry(config: SimConfig) {
    mutationFor('mongoose-os', ESP32_MUTANTS, config); // a typo fails when the board is built
    const l = esp32Layout(config);
    return { size: l.flashSize, sectorSize: l.sectorSize, writeSize: l.writeSize };
  },
  buildImage(build: ImageBuild, config: SimConfig) {
    const l = esp32Layout(config);
    return buildFirmware('esp32', build, { app: l.slots[0]!.app.size, fs: l.slots[0]!.fs.size, writeSize: l.writeSize });
  },
  install: installEsp32,
  inspect: inspectEsp32,
  ...bootOnFirstUse(() => import('./boot.ts')),
};
