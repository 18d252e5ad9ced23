// Where in an update a flash operation happened, and what the stack promises for a cut there.
// The phase is read from the console printed before the operation (parsed by the stack's boot-log
// parser) and from what the harness had done (commit sent, acknowledged); never from flash.
//
//   download   the running baseline receives the image and requests the update
//   swap       a bootloader installs it (swap, copy, boot-config update) on the first reboot
//   trial      the new image runs, not yet committed
//   commit     the commit step was sent, not yet acknowledged
//   committed  the commit was acknowledged: from here the new image must stay
//   revert     a later bootloader run under a withheld commit (the revert)
//   reverted   the old image runs again
import type { Boot, BootLogParser } from '../bootlog/boot.ts';
import type { StackPromises } from '../fixtures/promises.ts';
import type { Expectation, Flow } from './recover.ts';

export const PHASES = ['download', 'swap', 'trial', 'commit', 'committed', 'revert', 'reverted'] as const;
export type Phase = (typeof PHASES)[number];

/** What the harness had done when an operation happened. */
export type Stage = 'update' | 'commit' | 'committed';

export function phaseOf(flow: Flow, stage: Stage, bootsSinceUpdate: number, inBootloader: boolean): Phase {
  if (flow === 'confirm' && stage === 'committed') return 'committed';
  if (bootsSinceUpdate === 0) return 'download';
  if (inBootloader) return bootsSinceUpdate === 1 ? 'swap' : 'revert';
  if (flow === 'confirm') return stage === 'commit' ? 'commit' : 'trial';
  return bootsSinceUpdate === 1 ? 'trial' : 'reverted';
}

/**
 * The promise for a cut in `phase`: confirm → the old or the new image (only the new one once the
 * commit was acknowledged); withheld commit → the old image. Never a brick, except what the stack
 * documents for its install window (cutDuringSwap: a brick risk, or a state such as safe mode).
 */
export function expectationFor(flow: Flow, phase: Phase, promises: StackPromises): Expectation {
  return {
    flow,
    allowed: flow === 'withhold' ? ['baseline'] : phase === 'committed' ? ['candidate'] : ['baseline', 'candidate'],
    installWindow: phase === 'swap' ? promises.cutDuringSwap : null,
    unconfirmedBoots: promises.unconfirmedBoots,
  };
}

/**
 * Boot position of console line counts: how many boots began at or after line `updateLine`
 * before line count `n`, and whether the last of them was still in its bootloader (incomplete).
 * Memoised per line count: operations share them.
 */
export function bootPosition(parser: BootLogParser, lines: readonly string[], updateLine: number): (n: number) => { boots: number; inBootloader: boolean } {
  const memo = new Map<number, { boots: number; inBootloader: boolean }>();
  return (n) => {
    let hit = memo.get(n);
    if (!hit) {
      const boots: Boot[] = parser.parse(lines.slice(0, n)).filter((b) => b.startLine >= updateLine);
      const last = boots[boots.length - 1];
      hit = { boots: boots.length, inBootloader: last !== undefined && !last.complete };
      memo.set(n, hit);
    }
    return hit;
  };
}
