// Commit methods: a method is one module declaring its rig options beside its factory
// (harness/rig/kind.ts); adding one is that file plus one line here.
import type { Static } from '../typebox.ts';
import { KindRegistry, unionOf, type AnyKindConfig } from '../rig/kind.ts';
import type { CommitContext, CommitMethod } from './method.ts';
import { selfCommit } from './self.ts';
import { consoleCommandCommit } from './console-command.ts';
import { deviceManagerCommit } from './device-manager.ts';

export const COMMIT_KINDS = [selfCommit, consoleCommandCommit, deviceManagerCommit] as const;

export const CommitUnion = unionOf(COMMIT_KINDS);
export const commitKinds = new KindRegistry<CommitContext, CommitMethod>('commit', COMMIT_KINDS);

/** The board's commit method; a board without a `commit` entry confirms itself. */
export function createCommitMethod(config: Static<typeof CommitUnion> | AnyKindConfig | undefined, ctx: CommitContext): CommitMethod {
  return commitKinds.create(config ?? { kind: 'self' }, ctx, ctx.board);
}
