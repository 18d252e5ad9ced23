// The simulated Zerynth-style board: download to the filesystem and verify before the reboot,
// a resumable bootloader swap that keeps the old firmware as the backup, testing mode until the
// device manager is reached, and a restore of the backup on a reset in testing mode.
import type { SimStack, DeviceContext } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { layoutFor } from './layout.ts';
import { buildImage } from './image.ts';
import { MUTANTS, mutationFor } from './mutants.ts';
import { runBootloader } from './bootloader.ts';
import { runApp } from './app.ts';
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
  async boot(ctx: DeviceContext): Promise<void> {
    // A boot loop at a high time scale may never reach a real timer: let the host breathe once per boot.
    await new Promise<void>((resolve) => setImmediate(resolve));
    ctx.signal.throwIfAborted();
    // Everything comes from config and flash: nothing survives between boots in JS.
    const l = layoutFor(ctx.config);
    const mut = mutationFor(ctx.config);
    const outcome = await runBootloader(ctx, l, mut);
    if (!outcome.run) return; // nothing to run: halted until reset or power cycle
    await runApp(ctx, l, mut);
  },
};

export { MUTANTS } from './mutants.ts';
