// A console command confirms the image (`mcuboot confirm`, `mos call OTA.Commit`), always
// acknowledged by a console line: the rig's `expect`, or the stack's own (harness/rig/acks.ts),
// filled in by the rig loader.
import { Type } from '@sinclair/typebox';
import { defineKind } from '../rig/kind.ts';
import type { CommitContext, CommitMethod } from './method.ts';

import { COMMIT_ACK_TIMEOUT_MS } from '../rig/acks.ts';

/** Rig entry `commit: { kind: 'console-command', command, expect? }`. */
export const consoleCommandCommit = defineKind({
  kind: 'console-command',
  options: {
    command: Type.String(),
    expect: Type.Optional(Type.String({ description: "regex of the line that acknowledges the commit (default: the stack's own acknowledgement)" })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'ms to wait for the acknowledgement (default 10000)' })),
  },
  create: (config, _ctx: CommitContext): CommitMethod => ({
    description: config.command,
    acts: true,
    async commit(io) {
      io.note(`commit: ${config.command}`);
      const from = io.mark();
      await io.send(config.command);
      const timeout = config.timeoutMs ?? COMMIT_ACK_TIMEOUT_MS;
      if (config.expect === undefined) throw new Error(`${io.board}: commit command ${JSON.stringify(config.command)} has no acknowledgement to wait for (a config not from loadRig?)`);
      await io.expect(new RegExp(config.expect), from, timeout).catch((e: Error) => {
        throw new Error(`${io.board}: commit command ${JSON.stringify(config.command)} not acknowledged within ${timeout} ms (no line matching /${config.expect}/): ${e.message.replace(`${io.board}: `, '')}`);
      });
    },
  }),
});
