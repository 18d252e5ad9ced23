// A user's own kinds, registered from their config (harness/config.ts) or `--kinds FILE` on the
// rig CLI: each joins its category's registry, so rig validation, the JSON Schema and the board
// fixture know it as they know the project's own.
import type { TSchema } from '../typebox.ts';
import type { KindDef } from './kind.ts';
import { powerKinds } from '../power/registry.ts';
import { transportKinds } from '../ota/registry.ts';
import { installKinds } from '../install/registry.ts';
import { commitKinds } from '../commit/registry.ts';
import type { PowerContext, PowerSwitch } from '../power/power-switch.ts';
import type { OtaTransport, TransportContext } from '../ota/transport.ts';
import type { Installer } from '../install/installer.ts';
import type { InstallContext } from '../install/registry.ts';
import type { CommitContext, CommitMethod } from '../commit/method.ts';

/** Kinds by category, as a config lists them: `{ power: [myPlug] }`. */
export interface UserKinds {
  power?: readonly KindDef<TSchema, PowerContext, PowerSwitch>[];
  transport?: readonly KindDef<TSchema, TransportContext, OtaTransport>[];
  install?: readonly KindDef<TSchema, InstallContext, Installer>[];
  commit?: readonly KindDef<TSchema, CommitContext, CommitMethod>[];
}

/**
 * Returns an undo that forgets every kind registered after this call: a CLI command run in a
 * test's process (harness/cli/io.ts) registers its --kinds for that command only.
 */
export function kindsCheckpoint(): () => void {
  const undo = [powerKinds, transportKinds, installKinds, commitKinds].map((r) => r.checkpoint());
  return () => undo.forEach((u) => u());
}

export function registerKinds(kinds: UserKinds | undefined): void {
  for (const k of kinds?.power ?? []) powerKinds.register(k);
  for (const k of kinds?.transport ?? []) transportKinds.register(k);
  for (const k of kinds?.install ?? []) installKinds.register(k);
  for (const k of kinds?.commit ?? []) commitKinds.register(k);
}
