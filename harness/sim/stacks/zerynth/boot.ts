// One boot of the simulated Zerynth-style board: the bootloader (swap, restore), then the app.
import type { DeviceContext } from '../../stack.ts';
import { layoutFor } from './layout.ts';
import { mutationFor } from './mutants.ts';
import { runBootloader } from './bootloader.ts';
import { runApp } from './app.ts';

export async function boot(ctx: DeviceContext): Promise<void> {
  // A boot loop at a high time scale may never reach a real timer: let the host breathe once per boot.
  await new Promise<void>((resolve) => setImmediate(resolve));
  ctx.signal.throwIfAborted();
  // Everything comes from config and flash: nothing survives between boots in JS.
  const l = layoutFor(ctx.config);
  const mut = mutationFor(ctx.config);
  const outcome = await runBootloader(ctx, l, mut);
  if (!outcome.run) return; // nothing to run: halted until reset or power cycle
  await runApp(ctx, l, mut);
}
