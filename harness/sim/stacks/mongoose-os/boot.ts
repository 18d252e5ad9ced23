// One boot of the simulated Mongoose OS ESP32 board: ROM and bootloader pick a slot, then the app.
import type { DeviceContext } from '../../stack.ts';
import { esp32Layout } from './esp32-layout.ts';
import { ESP32_MUTANTS, mutationFor } from './mutants.ts';
import { esp32Boot } from './esp32-boot.ts';
import { Esp32Platform } from './esp32-platform.ts';
import { runMos } from './app.ts';
import { hostYield } from './platform.ts';

export async function boot(ctx: DeviceContext): Promise<void> {
  await hostYield();
  const l = esp32Layout(ctx.config);
  const mut = mutationFor('mongoose-os', ESP32_MUTANTS, ctx.config);
  const slot = await esp32Boot(ctx, l);
  await runMos(ctx, new Esp32Platform(ctx, l, slot, mut), mut);
}
