// One boot of the simulated MCUboot + Zephyr board: the bootloader, then the shell app.
import type { DeviceContext } from '../../stack.ts';
import { layoutFor } from './layout.ts';
import { mutationFor } from './mutants.ts';
import { runBootloader } from './bootloader.ts';
import { mcubootConsole } from './console-format.ts';
import { runApp } from './app.ts';

export async function boot(device: DeviceContext): Promise<void> {
  const ctx = mcubootConsole(device); // the rig's console format, printed like a real build
  // Everything is derived afresh from config and flash: no state survives between boots.
  const layout = layoutFor(ctx.config);
  const outcome = await runBootloader(ctx, layout, mutationFor(ctx.config));
  if (outcome === 'halt') return; // FIH_PANIC: dead until reset or power cycle
  await runApp(ctx, layout);
}
