// A console command confirms the image (`mcuboot confirm`, `mos call OTA.Commit`), always
// acknowledged by a console line: the rig's `expect`, or the stack's own (harness/rig/acks.ts),
// filled in by the rig loader.
import { Type } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { AckOptions, sendAcknowledged } from '../console/acknowledged.ts';
import type { CommitContext, CommitMethod } from './method.ts';

/** Rig entry `commit: { kind: 'console-command', command, expect?, timeoutMs? }`. */
export const consoleCommandCommit = defineKind({
  kind: 'console-command',
  options: {
    command: Type.String(),
    ...AckOptions,
  },
  create: (config, _ctx: CommitContext): CommitMethod => ({
    description: config.command,
    acts: true,
    async commit(io) {
      io.note(`commit: ${config.command}`);
      await sendAcknowledged(io, 'commit command', config.command, config);
    },
  }),
});
