// The simulated Particle-style board as tests drive it: small user modules, an update through the
// console's `ota <url>`, and settling on the application (or safe mode).
import { Board, serve, settle, type ImageServer, type ServeOptions } from './stack-kit.ts';
import { particleStack } from '../../harness/sim/stacks/particle/index.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import type { ImageBuild } from '../../harness/sim/stack.ts';

export const BASELINE: ImageBuild = { version: '1.0.0', size: 16000 };
export const CANDIDATE: ImageBuild = { version: '1.1.0', size: 20000 };
/** The application's first line, or Device OS saying it runs alone. */
export const UP = /^app: version |^sys: safe mode$/;

export function pBoard(config: SimConfig = {}): Board {
  return new Board(particleStack, { timeScale: 200, ...config });
}

/** Install the baseline and boot it; returns an image server for `image`. */
export async function ready(board: Board, image: Uint8Array, serveOpts: ServeOptions = {}): Promise<ImageServer> {
  board.install(BASELINE);
  const server = await serve(image, serveOpts);
  board.device.powerOn();
  await board.waitFor(UP);
  return server;
}

export const settleP = (board: Board) => settle(board);
