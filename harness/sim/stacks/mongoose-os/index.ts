// The simulated Mongoose OS board (ESP32 port): ESP32 ROM and ESP-IDF bootloader choose a slot
// from otadata, then the Mongoose OS app runs with its boot control in otadata + NVS. The
// ESP8266 port (Cesanta's rBoot) is the 'rboot' stack in ../rboot and shares the app core.
import type { SimStack, DeviceContext, ImageBuild } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { esp32Layout } from './esp32-layout.ts';
import { esp32Boot } from './esp32-boot.ts';
import { Esp32Platform } from './esp32-platform.ts';
import { installEsp32, inspectEsp32 } from './esp32-inspect.ts';
import { buildFirmware } from './firmware.ts';
import { ESP32_MUTANTS, mutationFor } from './mutants.ts';
import { runMos } from './app.ts';
import { hostYield } from './platform.ts';

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
  async boot(ctx: DeviceContext): Promise<void> {
    await hostYield();
    const l = esp32Layout(ctx.config);
    const mut = mutationFor('mongoose-os', ESP32_MUTANTS, ctx.config);
    const slot = await esp32Boot(ctx, l);
    await runMos(ctx, new Esp32Platform(ctx, l, slot, mut), mut);
  },
};
