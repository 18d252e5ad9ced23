// Writes an image straight into simulated flash, as a programmer (J-Link, esptool) would.
import type { Installer } from './installer.ts';
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
