// Installer kinds: an installer is one module declaring its rig options beside its factory
// (harness/rig/kind.ts); adding one is that file plus one line here.
import type { Static } from '../typebox.ts';
import { KindRegistry, unionOf, type AnyKindConfig } from '../rig/kind.ts';
import type { Installer } from './installer.ts';
import type { SimDevice } from '../sim/device.ts';
import type { Console } from '../console/console.ts';
import { simFlashInstall } from './sim-flash.ts';
import { commandInstall } from './command.ts';

export const INSTALL_KINDS = [simFlashInstall, commandInstall] as const;

export const InstallUnion = unionOf(INSTALL_KINDS);
export const installKinds = new KindRegistry<InstallContext, Installer>('install', INSTALL_KINDS);

/** What every installer gets from the registry. */
export interface InstallContext {
  board: string;
  port: string;
  sim?: SimDevice;
  /** The board's console, which a tool that flashes over the UART needs released. */
  console?: Console;
  log: (line: string) => void;
}

export function createInstaller(config: Static<typeof InstallUnion> | AnyKindConfig, ctx: InstallContext): Installer {
  return installKinds.create(config, ctx, ctx.board);
}
