// Test rig for the simulated MCUboot board: stack-kit's in-process board (console as lines, tiny
// image server on loopback) on the MCUboot stack, and what one boot ended in.
import { mcubootStack } from '../../harness/sim/stacks/mcuboot/index.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import type { ImageBuild } from '../../harness/sim/stack.ts';
import { Board as KitBoard, bootOnceWith } from './stack-kit.ts';

export { cleanup, serve, until, type ImageServer, type ServeOptions } from './stack-kit.ts';

export const BASELINE: ImageBuild = { version: '1.1.0', boot: 'ok', confirm: 'wait' };
export const CANDIDATE: ImageBuild = { version: '1.2.0', boot: 'ok', confirm: 'wait' };

/** The stack-kit board, always an MCUboot one. */
export class Board extends KitBoard {
  constructor(config: SimConfig = {}) {
    super(mcubootStack, config);
  }
}

export const VERSION = /<inf> app: Firmware version (\S+)/;
export const BRICK = /Unable to find bootable image/;

/** What a boot ended in: a firmware version, 'brick', or 'stuck' (neither within the timeout). */
export type Outcome = string;

/** The last version or brick line of a boot's console, or 'stuck'. */
function outcomeOf(lines: string[]): Outcome {
  let outcome: Outcome = 'stuck';
  for (const line of lines) {
    const v = VERSION.exec(line);
    if (v) outcome = v[1]!;
    else if (BRICK.test(line)) outcome = 'brick';
  }
  return outcome;
}

/** Power on, wait until an app runs or the bootloader gives up, then power off. */
export const bootOnce = (board: Board): Promise<{ outcome: Outcome; log: string }> => bootOnceWith(board, outcomeOf);
