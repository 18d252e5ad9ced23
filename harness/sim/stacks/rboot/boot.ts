// One boot of the simulated Mongoose OS ESP8266 board: rBoot picks a rom, then the app.
import type { DeviceContext } from '../../stack.ts';
import { mutationFor } from '../mongoose-os/mutants.ts';
import { rbootLayout } from './layout.ts';
import { RBOOT_MUTANTS } from './index.ts';
import { runMos } from '../mongoose-os/app.ts';
import { hostYield } from '../mongoose-os/platform.ts';
import { rbootBoot } from './rboot.ts';
import { Esp8266Platform } from './platform.ts';

export async function boot(ctx: DeviceContext): Promise<void> {
  await hostYield();
  const l = rbootLayout(ctx.config);
  const mut = mutationFor('rboot', RBOOT_MUTANTS, ctx.config);
  const r = await rbootBoot(ctx, l, mut);
  if (!r) return; // no good rom: rBoot returns to the ROM loader, which hangs
  await runMos(ctx, new Esp8266Platform(ctx, l, r.rom, r.cause), mut);
}
