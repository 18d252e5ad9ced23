// Installer kinds: adding one is a new file plus one line here.
import type { InstallConfig } from '../rig/schema.ts';
import type { SimDevice } from '../sim/device.ts';
import type { Installer } from './installer.ts';
import type { Console } from '../console/console.ts';
import { SimFlashInstaller } from './sim-flash.ts';
import { CommandInstaller } from './command.ts';

export interface InstallContext {
  board: string;
  port: string;
  sim?: SimDevice;
  /** The board's console, which a tool that flashes over the UART needs released. */
  console?: Console;
  log: (line: string) => void;
}

export function createInstaller(config: InstallConfig, ctx: InstallContext): Installer {
  switch (config.kind) {
    case 'sim-flash':
      if (!ctx.sim) throw new Error(`${ctx.board}: install kind "sim-flash" needs a simulated board`);
      return new SimFlashInstaller(ctx.sim);
    case 'command':
      return new CommandInstaller(config, ctx);
  }
}
