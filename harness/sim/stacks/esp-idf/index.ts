// The simulated ESP-IDF board (ESP32, rollback enabled): ROM, 2nd stage bootloader choosing a
// partition through otadata, and an app that updates itself with esp_https_ota.
import type { SimStack, DeviceContext } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { layoutFor } from './layout.ts';
import { buildAppImage } from './app-desc.ts';
import { MUTANTS, mutationFor } from './mutants.ts';
import { espLog } from './esp-log.ts';
import { espIdfConsole } from './console-format.ts';
import { runRom } from './rom.ts';
import { runBootloader } from './bootloader.ts';
import { runApp } from './app.ts';
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
  async boot(device: DeviceContext): Promise<void> {
    const ctx = espIdfConsole(device); // the rig's console format, printed like a real build
    // Everything is derived afresh from config and flash: no state survives between boots.
    const layout = layoutFor(ctx.config);
    const mut = mutationFor(ctx.config);
    const log = espLog(ctx);
    await runRom(ctx);
    const booted = await runBootloader(ctx, log, layout, mut);
    await runApp(ctx, log, booted, layout, mut);
  },
};

export { layoutFor } from './layout.ts';
export { MUTANTS } from './mutants.ts';
