// Writes an image straight into simulated flash, as a programmer (J-Link, esptool) would.
import { defineKind } from '../rig/kind.ts';
import type { Installer } from './installer.ts';
import type { InstallContext } from './registry.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import type { SimDevice } from '../sim/device.ts';

export class SimFlashInstaller implements Installer {
  readonly kind = 'sim-flash';
  readonly needsPower = false;
  constructor(private readonly device: SimDevice) {}

  async install(image: FirmwareImage): Promise<void> {
    await this.device.settled();
    this.device.stack.install(this.device.flash, image.bytes, this.device.config);
  }
}

/** Rig entry `install: { kind: 'sim-flash' }`. */
export const simFlashInstall = defineKind({
  kind: 'sim-flash',
  description: 'write the image straight into simulated flash, as a programmer would',
  options: {},
  create: (_config, ctx: InstallContext): Installer => {
    if (!ctx.sim) throw new Error(`${ctx.board}: install kind "sim-flash" needs a simulated board`);
    return new SimFlashInstaller(ctx.sim);
  },
});
