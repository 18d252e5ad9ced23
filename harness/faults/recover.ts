// After the last power cut: bring the board back the way the harness does and decide, from the
// console's boots only, what it settled on. The same procedure serves a sweep's forks and a plan
// run on a real board, so a verdict means the same thing on both.
//
// Procedure: power on and take the next boot that shows an outcome. When the candidate runs
// unconfirmed (any boot event but 'normal') and the plan confirms, re-run the rig's commit step
// (the update went through; the harness finishes it). Power-cycle until the same image boots
// twice in a row with nothing done in between (for an unconfirmed candidate under a withheld
// commit: more often than the stack allows unconfirmed boots, which means it never reverts).
// A brick, a crash or an unknown image ends it at once.
import type { Boot } from '../bootlog/boot.ts';
import { describeBoot, sameVersion } from '../bootlog/describe.ts';
import type { StackPromises } from '../fixtures/promises.ts';
import type { PowerOnState, RecoveryMemo, RecoveryTail } from './memo.ts';
import { LABEL, type RiskLabel } from '../report/vocabulary.ts';

/** What the procedure needs of a board; every verdict comes from `nextBoot`, i.e. the console. */
export interface Dut {
  powerOn(): Promise<void>;
  powerOff(): Promise<void>;
  /** The next boot since power-on that shows an outcome; unsettled when it never settled, null when none began (in `timeoutMs`, if given). */
  nextBoot(timeoutMs?: number): Promise<Boot | null>;
  /** The rig's commit step; false when its acknowledgement never came. */
  commit(): Promise<boolean>;
  /** Sim only: disagreements between the last verdict and the flash (cross-check, never the verdict). */
  audit?(last: Boot): string[];
  /** Sim only: what survives the next power-on's cut, for RecoverOptions.memo (never for a verdict). */
  powerOnState?(): PowerOnState;
}

export interface Versions {
  baseline: string;
  candidate: string;
}

export type Flow = 'confirm' | 'withhold';

export interface Expectation {
  flow: Flow;
  /** Images the board may settle on after this cut. */
  allowed: readonly ('baseline' | 'candidate')[];
  /**
   * What the stack documents for a cut inside its install window (promises.cutDuringSwap), when this
   * cut may land there: a brick risk (ESP8266 Arduino's copy) or a named non-image state (Particle's
   * safe mode) is then reported as documented, not failed.
   */
  installWindow: StackPromises['cutDuringSwap'];
  /** Unconfirmed boots the stack allows before it falls back. */
  unconfirmedBoots: number;
}

/** What one boot shows. */
export type Seen = 'baseline' | 'candidate' | 'brick' | 'crash' | 'other';

/**
 * How a cut point ended. Passing: an image the expectation allows, a documented brick risk, or a
 * documented non-image state ('documented', e.g. safe mode).
 */
export type Outcome = 'baseline' | 'candidate' | 'brick-risk' | 'documented' | 'brick' | 'crash' | 'wrong-image' | 'rebooted' | 'unstable' | 'commit-failed' | 'flash-check';
export const PASSING: readonly Outcome[] = ['baseline', 'candidate', 'brick-risk', 'documented'];

export interface Recovery {
  outcome: Outcome;
  ok: boolean;
  /** The boots seen, in words ("1.1.0 from primary (event trial)"). */
  boots: string[];
  /** Why it failed, or notes such as "committed again". */
  detail: string;
}

/**
 * The risk a stack documents for its install window, in words that stay the same run after run
 * (scenario, plan and sweep alike), so the report groups them and the gate's policy can name them.
 */
export function installWindowRisk(stack: string, window: NonNullable<StackPromises['cutDuringSwap']>): { label: RiskLabel; description: string } {
  if ('brickRisk' in window) return { label: LABEL.brickRisk, description: `${stack}: a power cut while the bootloader installs the update can leave no runnable firmware` };
  return { label: LABEL.documentedRisk, description: `${stack}: an interruption while the bootloader installs the update leaves the board in ${window.slot ?? window.event} until the update is sent again` };
}

/** The documented risk a passing outcome stands for; null when an image runs (or it failed). */
export function riskOf(outcome: Outcome, stack: string, exp: Expectation): { label: RiskLabel; description: string } | null {
  if ((outcome !== 'brick-risk' && outcome !== 'documented') || !exp.installWindow) return null;
  return installWindowRisk(stack, exp.installWindow);
}

export function classify(boot: Boot | null, v: Versions): Seen {
  if (!boot || !boot.complete || boot.event === 'brick' || boot.slot === 'none') return 'brick';
  if (boot.notes.some((n) => n.startsWith('app crashed'))) return 'crash';
  if (sameVersion(boot.version, v.baseline)) return 'baseline';
  if (sameVersion(boot.version, v.candidate)) return 'candidate';
  return 'other';
}

/** A boot that shows nothing but a reset (a bootloader restarting itself, a warm reset) is not an outcome yet. */
export function showsOutcome(boot: Boot): boolean {
  return !boot.complete || boot.version !== null || boot.slot === 'none' || boot.event === 'brick' || boot.notes.some((n) => n.startsWith('app crashed'));
}

export interface RecoverOptions {
  /** The board is on and about to reboot by itself (an update was just delivered): do not power on first. */
  poweredOn?: boolean;
  /** With poweredOn: the stack promises to refuse this delivery without rebooting; a boot within this many ms breaks it. */
  noRebootWithinMs?: number;
  /** Share the rest of a recovery between boards that power on alike (a sweep's forks; needs Dut.powerOnState). */
  memo?: RecoveryMemo;
}

/**
 * Of the boots since power-on, the first that shows an outcome: the last one only once it is
 * complete; earlier ones that only reset (a bootloader restarting itself) are passed over.
 */
export function pickOutcomeBoot(boots: readonly Boot[]): Boot | undefined {
  let skipped = 0;
  for (let i = 0; i < boots.length; i++) {
    const b = boots[i]!;
    if (i === boots.length - 1) return b.complete ? b : undefined;
    if (showsOutcome(b) || ++skipped > MAX_SILENT_RESETS) return b;
  }
  return undefined;
}

/** More resets without an outcome than this is a boot loop: its last boot is the verdict. */
const MAX_SILENT_RESETS = 8;

export async function recover(dut: Dut, v: Versions, exp: Expectation, opts: RecoverOptions = {}): Promise<Recovery> {
  const boots: string[] = [];
  const notes: string[] = [];
  let prev: Seen | null = null;
  let streak = 0;
  let committed = false;
  let acted = false;
  const memo = dut.powerOnState && !opts.poweredOn ? opts.memo : undefined;
  const expKey = memo ? JSON.stringify([exp, v]) : '';
  const remember: { done: (t: RecoveryTail) => void; boots: number; notes: number }[] = [];
  const result = (outcome: Outcome, detail: string): Recovery => {
    for (const r of remember) r.done({ outcome, detail, boots: boots.slice(r.boots), notes: notes.slice(r.notes) });
    return { outcome, ok: PASSING.includes(outcome), boots, detail: [detail, ...notes].filter(Boolean).join('; ') };
  };
  const end = async (outcome: Outcome, detail: string): Promise<Recovery> => {
    await dut.powerOff();
    return result(outcome, detail);
  };
  const maxBoots = exp.unconfirmedBoots + 4;
  let on = opts.poweredOn ?? false;
  for (let i = 0; i < maxBoots; i++) {
    if (memo && i > 0) {
      // The first power-on is the cut itself, one of a kind; later ones may be where forks converge.
      const state = `${expKey}|${i}|${prev}|${streak}|${committed}|${acted}`;
      const s = dut.powerOnState!();
      const tail = memo.get(state, s);
      if (tail) {
        boots.push(...tail.boots);
        notes.push(...tail.notes);
        return result(tail.outcome as Outcome, tail.detail);
      }
      const done = memo.begin(state, s);
      if (done) remember.push({ done, boots: boots.length, notes: notes.length });
    }
    if (!on) await dut.powerOn();
    const quiet = on && opts.noRebootWithinMs !== undefined;
    const boot = await dut.nextBoot(quiet ? opts.noRebootWithinMs : undefined);
    if (quiet && boot !== null) {
      boots.push(describeBoot(boot));
      return end('rebooted', 'the stack promises to refuse this delivery without a reboot');
    }
    if (on && boot === null) {
      // Delivered, yet no reboot (the stack refused the image without one): power-cycle instead.
      on = false;
      notes.push('no reboot after the delivery');
      await dut.powerOff();
      continue;
    }
    on = false;
    const seen = classify(boot, v);
    boots.push(boot ? describeBoot(boot) : 'no boot on the console');
    if (seen === 'brick' || seen === 'crash' || seen === 'other') {
      const w = exp.installWindow;
      if (w && 'brickRisk' in w) return end('brick-risk', `${seen} inside the window the stack documents as a brick risk`);
      const slot = (w as { slot?: string } | null)?.slot; // a named state (Particle's 'safe-mode')
      if (w && w.runs === 'none' && boot && boot.event === w.event && (slot === undefined || boot.slot === slot)) {
        return end('documented', `${slot ?? w.event}, as the stack documents for a cut while it installs`);
      }
      return end(seen === 'other' ? 'wrong-image' : seen, `boot ${boots.length} after the cut: ${boots[boots.length - 1]}`);
    }
    streak = seen === prev && !acted ? streak + 1 : 1;
    prev = seen;
    acted = false;
    // Commit only an unconfirmed candidate: one that boots 'normal' was committed before the cut,
    // and some commit steps (a device manager's) acknowledge only the first time.
    if (seen === 'candidate' && exp.flow === 'confirm' && !committed && boot?.event !== 'normal') {
      committed = acted = true;
      if (!(await dut.commit())) return end('commit-failed', 'the candidate runs but the commit step was not acknowledged');
      notes.push('commit step run');
    }
    const need = seen === 'candidate' && exp.flow === 'withhold' ? exp.unconfirmedBoots + 1 : 2;
    if (streak >= need) {
      const problems = dut.audit && boot ? dut.audit(boot) : [];
      if (problems.length) return end('flash-check', problems.join('; '));
      if (!exp.allowed.includes(seen)) return end('wrong-image', `settled on the ${seen}; promised: ${exp.allowed.join(' or ')}`);
      return end(seen, '');
    }
    await dut.powerOff();
  }
  return end('unstable', `no image settled within ${maxBoots} boots`);
}
