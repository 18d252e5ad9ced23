// One boot of the simulated ESP-IDF board: ROM, 2nd stage bootloader, then the app.
import type { DeviceContext } from '../../stack.ts';
import { layoutFor } from './layout.ts';
import { mutationFor } from './mutants.ts';
import { espLog } from './esp-log.ts';
import { espIdfConsole } from './console-format.ts';
import { runRom } from './rom.ts';
import { runBootloader } from './bootloader.ts';
import { runApp } from './app.ts';

export async function boot(device: DeviceContext): Promise<void> {
  const ctx = espIdfConsole(device); // the rig's console format, printed like a real build
  // Everything is derived afresh from config and flash: no state survives between boots.
  const layout = layoutFor(ctx.config);
  const mut = mutationFor(ctx.config);
  const log = espLog(ctx);
  await runRom(ctx);
  const booted = await runBootloader(ctx, log, layout, mut);
  await runApp(ctx, log, booted, layout, mut);
}
