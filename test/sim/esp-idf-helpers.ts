// Test rig for the simulated ESP-IDF board: stack-kit's in-process board (console as lines, tiny
// image server on loopback) on the ESP-IDF stack, and helpers to drive an update the way a user at
// the console would.
import { espIdfStack } from '../../harness/sim/stacks/esp-idf/index.ts';
import type { ImageBuild, SimDeviceConfig } from '../../harness/sim/stack.ts';
import { Board as KitBoard, bootOnceWith } from './stack-kit.ts';

export { cleanup, serve, until, type ImageServer, type ServeOptions } from './stack-kit.ts';

export const BASELINE: ImageBuild = { version: '1.0.0', boot: 'ok', confirm: 'self' };
export const CANDIDATE: ImageBuild = { version: '1.1.0', boot: 'ok', confirm: 'wait', size: 48000 };

/** The app's version line and the bootloader's final word when nothing boots. */
export const VERSION = /^I \(\d+\) app_init: App version:\s+(\S+)/;
export const NO_APP = /No bootable app partitions in the partition table/;
export const LOADED = /Loaded app from partition at offset (0x[0-9a-f]+)/;

/** The stack-kit board, always an ESP-IDF one. */
export class Board extends KitBoard {
  constructor(config: SimDeviceConfig = {}) {
    super(espIdfStack, config);
  }

  // Resolve a few microtasks later than stack-kit does, as this rig always has: a power-off right
  // after a line (e.g. 'app marked valid') otherwise lands before the app starts its http-push
  // server, whose abort listener then never fires (harness/sim/transports/http-push.ts) and the
  // listening server keeps the test process alive.
  override async waitFor(re: RegExp, from = 0, timeoutMs = 5000): Promise<number> {
    return super.waitFor(re, from, timeoutMs);
  }
}

/** What one boot ended in: the app version that came up, 'brick' (no bootable app), or 'stuck'. */
export type Outcome = string;

/** The outcome of the boot whose console is `lines` (the first version or brick line in it). */
function outcomeOf(lines: string[]): Outcome {
  for (const line of lines) {
    const v = VERSION.exec(line);
    if (v) return v[1]!;
    if (NO_APP.test(line)) return 'brick';
  }
  return 'stuck';
}

/** Power off (if on) and on, wait until an app is up or the bootloader gives up, power off. */
export async function bootOnce(board: Board): Promise<{ outcome: Outcome; log: string }> {
  await board.powerOff();
  // Up means app_main ran: the running-partition line follows the version.
  return bootOnceWith(board, outcomeOf, (lines) => lines.some((l) => /ota_hil: Running partition/.test(l) || NO_APP.test(l)));
}

/** app_main's first line: the app is up and has reported its partition and OTA state. */
export const APP_UP = /ota_hil: Running partition: (\S+) \(offset 0x[0-9a-f]+\), (?:OTA state ESP_OTA_IMG_(\w+)|no OTA state)/;

/** Install `baseline`, boot it, type `ota <url>`; resolves with the mark before the command. */
export async function startOta(board: Board, baseline: ImageBuild, url: string): Promise<number> {
  board.install(baseline);
  const m0 = board.mark();
  board.device.powerOn();
  await board.waitFor(APP_UP, m0);
  const m = board.mark();
  board.send(`ota ${url}`);
  return m;
}

/** Wait for the app of the boot after line `from` to report itself; returns [partition, state]. */
export async function nextApp(board: Board, from: number, timeoutMs = 10_000): Promise<{ at: number; part: string; state: string | null }> {
  const at = await board.waitFor(APP_UP, from, timeoutMs);
  const m = APP_UP.exec(board.lines[at]!)!;
  return { at, part: m[1]!, state: m[2] ?? null };
}
