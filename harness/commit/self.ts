// The image confirms itself (MCUboot's boot_set_confirmed from the app, esp_ota_mark_app_valid...).
import { Type } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import type { CommitContext, CommitMethod } from './method.ts';

/** Rig entry `commit: { kind: 'self' }` (the default). */
export const selfCommit = defineKind({
  kind: 'self',
  options: { description: Type.Optional(Type.String()) },
  create: (config, _ctx: CommitContext): CommitMethod => ({
    description: config.description ?? 'the image confirms itself',
    acts: false,
    commit: (io) => {
      io.note(`commit: ${config.description ?? 'the image confirms itself'}`);
      return Promise.resolve();
    },
  }),
});
