// The seam for putting a board on a known baseline before a scenario.
import type { FirmwareImage } from '../fixtures/images.ts';


export interface Installer {
  readonly kind: string;
  /** Whether the board must be powered while installing (a flashing tool talks to its ROM). */
  readonly needsPower: boolean;
  install(image: FirmwareImage): Promise<void>;
}
