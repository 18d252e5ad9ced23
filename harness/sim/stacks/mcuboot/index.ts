// The simulated MCUboot + Zephyr board: swap-using-scratch bootloader and a small shell app.
import type { SimStack, DeviceContext } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { layoutFor } from './layout.ts';
import { buildImage } from './image.ts';
import { MUTANTS, mutationFor } from './mutants.ts';
import { runBootloader } from './bootloader.ts';
import { mcubootConsole } from './console-format.ts';
import { runApp } from './app.ts';
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
  async boot(device: DeviceContext): Promise<void> {
    const ctx = mcubootConsole(device); // the rig's console format, printed like a real build
    // Everything is derived afresh from config and flash: no state survives between boots.
    const layout = layoutFor(ctx.config);
    const outcome = await runBootloader(ctx, layout, mutationFor(ctx.config));
    if (outcome === 'halt') return; // FIH_PANIC: dead until reset or power cycle
    await runApp(ctx, layout);
  },
};

export { layoutFor } from './layout.ts';
export { MUTANTS } from './mutants.ts';
