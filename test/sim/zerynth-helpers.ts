// The simulated Zerynth-style board as tests drive it: small firmware, a loopback image server,
// and the harness's own device manager (refusing until allowed) at a provisioned address.
import { Board, serve, settle, type ServeOptions } from './stack-kit.ts';
import { zerynthStack } from '../../harness/sim/stacks/zerynth/index.ts';
import { DeviceManager } from '../../harness/fixtures/device-manager.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import type { ImageBuild } from '../../harness/sim/stack.ts';

export const BASELINE: ImageBuild = { version: '1.0.0', size: 16000 };
export const CANDIDATE: ImageBuild = { version: '1.1.0', size: 20000 };
export const UP = /^zapp: version /;

export function zBoard(config: SimConfig = {}): Board {
  return new Board(zerynthStack, { timeScale: 200, ...config });
}

export async function deviceManager(): Promise<DeviceManager> {
  return DeviceManager.start({ board: 'sim-1', note: () => undefined });
}

/** Install the baseline, boot it, provision `dm` (if any), serve `image` and type `fota <url>`. */
export async function startFota(board: Board, image: Uint8Array, dm?: DeviceManager, serveOpts: ServeOptions = {}): Promise<number> {
  board.install(BASELINE);
  const server = await serve(image, serveOpts);
  board.device.powerOn();
  await board.waitFor(UP);
  if (dm) {
    const p = board.mark();
    board.send(`zdm endpoint ${dm.address}`);
    await board.waitFor(/^zdm: endpoint set to /, p);
  }
  const m = board.mark();
  board.send(`fota ${server.url}`);
  return m;
}

export const settleZ = (board: Board) => settle(board);
