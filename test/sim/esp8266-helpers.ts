// The simulated ESP8266 Arduino board as tests drive it: small sketches so that a full update is
// quick, an HTTP update through the sketch's `ota <url>` (ESPhttpUpdate), and settling a boot.
import { Board, serve, settle, type ServeOptions } from './stack-kit.ts';
import { esp8266ArduinoStack } from '../../harness/sim/stacks/esp8266-arduino/index.ts';
import type { ImageBuild, SimDeviceConfig } from '../../harness/sim/stack.ts';

export const BASELINE: ImageBuild = { version: '1.0.0', size: 16000 };
export const CANDIDATE: ImageBuild = { version: '1.1.0', size: 20000 };
/** The sketch's last start-up line: its shell and services are up. */
export const UP = /^IP address: /;
export const BANNER = /^OTA-HIL Sketch (\S+)$/;

export function espBoard(config: SimDeviceConfig = {}): Board {
  return new Board(esp8266ArduinoStack, { timeScale: 100, ...config });
}

/** Install the baseline, boot it, serve `image` and type `ota <url>`; returns the mark before the command. */
export async function startUpdate(board: Board, image: Uint8Array, serveOpts: ServeOptions = { md5: 'auto' }): Promise<number> {
  board.install(BASELINE);
  const server = await serve(image, serveOpts);
  board.device.powerOn();
  await board.waitFor(UP);
  const m = board.mark();
  board.send(`ota ${server.url}`);
  return m;
}

export const settleEsp = (board: Board) => settle(board, { quietMs: 4000 });
