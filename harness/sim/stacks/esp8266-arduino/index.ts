// The simulated ESP8266 Arduino board: mask ROM, eboot, one sketch slot, the Updater staging
// below the filesystem, and the eboot COPY_RAW command in RTC memory.
import type { SimStack, DeviceContext } from '../../stack.ts';
import type { SimConfig } from '../../../rig/schema.ts';
import { FLASH_SIZE, SECTOR, WRITE_SIZE, checkConfig } from './layout.ts';
import { buildSketch } from './image.ts';
import { MUTANTS, mutantApplies, mutationFor } from './mutants.ts';
import { runRom } from './rom.ts';
import { runEboot } from './eboot.ts';
import { runSketch } from './sketch.ts';
import { inspect, install } from './inspect.ts';

export const esp8266ArduinoStack: SimStack = {
  name: 'esp8266-arduino',
  rom: 'esp8266',
  mutants: { ...MUTANTS },
  mutantApplies,
  flashGeometry(config: SimConfig) {
    checkConfig(config);
    mutationFor(config); // a mutant typo fails when the board is built
    return { size: FLASH_SIZE, sectorSize: SECTOR, writeSize: WRITE_SIZE };
  },
  buildImage: (build, config) => buildSketch(build, config),
  install: (flash, image) => install(flash, image),
  inspect: (flash) => inspect(flash),
  async boot(ctx: DeviceContext): Promise<void> {
    // A boot loop at a high time scale may never reach a real timer: let the host breathe once per boot.
    await new Promise<void>((resolve) => setImmediate(resolve));
    ctx.signal.throwIfAborted();
    const mut = mutationFor(ctx.config);
    if (!(await runRom(ctx))) return; // the ROM found no second stage: nothing runs
    await runEboot(ctx, mut);
    await runSketch(ctx, mut);
  },
};

export { MUTANTS } from './mutants.ts';
