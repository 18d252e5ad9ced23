// One boot of the simulated Particle-style board: the bootloader, then Device OS and the app.
import type { DeviceContext } from '../../stack.ts';
import { layoutFor } from './layout.ts';
import { mutationFor } from './mutants.ts';
import { runBootloader } from './bootloader.ts';
import { runDeviceOs } from './system.ts';

export async function boot(ctx: DeviceContext): Promise<void> {
  // A boot loop at a high time scale may never reach a real timer: let the host breathe once per boot.
  await new Promise<void>((resolve) => setImmediate(resolve));
  ctx.signal.throwIfAborted();
  const l = layoutFor(ctx.config);
  const mut = mutationFor(ctx.config);
  await runBootloader(ctx, l, mut);
  await runDeviceOs(ctx, l, mut);
}
