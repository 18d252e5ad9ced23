// One boot of the simulated ESP8266 Arduino board: mask ROM, eboot, then the sketch.
import type { DeviceContext } from '../../stack.ts';
import { mutationFor } from './mutants.ts';
import { runRom } from './rom.ts';
import { runEboot } from './eboot.ts';
import { runSketch } from './sketch.ts';

export async function boot(ctx: DeviceContext): Promise<void> {
  // A boot loop at a high time scale may never reach a real timer: let the host breathe once per boot.
  await new Promise<void>((resolve) => setImmediate(resolve));
  ctx.signal.throwIfAborted();
  const mut = mutationFor(ctx.config);
  if (!(await runRom(ctx))) return; // the ROM found no second stage: nothing runs
  await runEboot(ctx, mut);
  await runSketch(ctx, mut);
}
