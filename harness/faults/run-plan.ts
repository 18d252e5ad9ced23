// Run a fault plan on a rig board through its public parts (power, console, OTA), on the simulator
// and on hardware alike: install the baseline, start the update, let the first cut race it, then
// each further cut while the board recovers, and finally recover as the harness does and judge
// the outcome from the console against what the stack promises. A step the board cannot do (a
// flash-op cut on hardware, a drop on a transport that cannot drop) refuses the whole plan up
// front, naming the board and the step.
import type { Board } from '../fixtures/board.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import type { StackPromises } from '../fixtures/promises.ts';
import { mulberry32 } from '../sim/flash.ts';
import { phase } from '../report/step.ts';
import { recordRisk } from '../report/scenario-report.ts';
import { describeCut, describePlan, simOnlySteps, validatePlan, type Cut, type FaultPlan } from './plan.ts';
import { heldStall, networkProblems } from './network.ts';
import { cutWhen, type TriggerContext } from './triggers.ts';
import { BoardDut, Interrupted } from './board-dut.ts';
import { deviceMs, SIM_WINDOW_FLOOR_MS } from '../fixtures/device-time.ts';
import { recover, riskOf, type Expectation, type Recovery } from './recover.ts';

export class PlanRefused extends Error {
  override name = 'PlanRefused';
}

export interface PlanResult {
  plan: FaultPlan;
  board: string;
  /** Each cut, and whether its trigger came. */
  cuts: { step: string; what: string; fired: boolean }[];
  expectation: Expectation;
  recovery: Recovery;
  ok: boolean;
  /** One line: the plan, what happened, the verdict. */
  summary: string;
}

const DEFAULT_OFF_MS = 100;
/** How long a board that promises no reboot is watched after a corrupt delivery (board time). */
const NO_REBOOT_WINDOW_MS = 3000;

/** Throws PlanRefused when `board` cannot carry out `plan` as written. */
export function checkPlanFor(board: Board, plan: FaultPlan, imageSize: number): void {
  const problems: string[] = [];
  if (!board.sim) {
    for (const s of simOnlySteps(plan)) problems.push(`step ${s.step} (${s.what}) needs a simulated board: ${s.why}`);
  }
  problems.push(...networkProblems(board.config, plan, imageSize));
  if (problems.length) {
    const what = board.sim ? 'a simulated board' : `real hardware (power: ${board.config.power.kind})`;
    throw new PlanRefused(`board ${board.name} is ${what}; fault plan "${plan.name}" cannot run on it:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** Old or new image after a cut; only the new one when nothing could stop it; the old one under a corrupted transfer. */
export function planExpectation(plan: FaultPlan, promises: StackPromises): Expectation {
  const flow = plan.commit ?? 'confirm';
  const cuts = plan.cuts ?? [];
  const undisturbed = cuts.length === 0 && !plan.network?.drop && !plan.network?.corrupt;
  const allowed = flow === 'withhold' || plan.network?.corrupt ? (['baseline'] as const) : undisturbed ? (['candidate'] as const) : (['baseline', 'candidate'] as const);
  // A cut may land in the install window, where some stacks document safe mode (any interruption)
  // or a brick risk (power loss only: ESP8266's copy survives a warm reset, its RTC command does not survive a cut).
  const w = promises.cutDuringSwap;
  const mayHitInstall = cuts.some((c) => c.kind !== 'download');
  const powerInInstall = cuts.some((c) => c.kind !== 'download' && !c.reset);
  const installWindow = w && 'brickRisk' in w ? (powerInInstall ? w : null) : mayHitInstall ? w : null;
  return { flow, allowed, installWindow, unconfirmedBoots: promises.unconfirmedBoots };
}

function imageOf(board: Board, name: string, plan: FaultPlan): FirmwareImage {
  const img = board.images[name];
  if (!img) throw new PlanRefused(`fault plan "${plan.name}" names image "${name}", which board ${board.name}'s rig does not have (has: ${Object.keys(board.images).join(', ')})`);
  return img;
}

export async function runPlan(board: Board, input: FaultPlan): Promise<PlanResult> {
  const plan = validatePlan(input, `fault plan "${(input as { name?: string }).name ?? '?'}"`);
  const baseline = imageOf(board, plan.baseline ?? 'baseline', plan);
  const candidate = imageOf(board, plan.image ?? 'candidate', plan);
  checkPlanFor(board, plan, candidate.bytes.length);
  const promises = board.promises;
  const expectation = planExpectation(plan, promises);
  // A stack that refuses a corrupt image before any reboot is held to that too.
  const noRebootWithinMs = plan.network?.corrupt && promises.corruptImage === 'no-reboot' ? deviceMs(board.config, NO_REBOOT_WINDOW_MS, SIM_WINDOW_FLOOR_MS) : undefined;
  const versions = { baseline: baseline.version, candidate: candidate.version };
  const cuts = plan.cuts ?? [];
  const fired: boolean[] = [];
  const rng = mulberry32(plan.seed ?? 1);
  const timeoutMs = 2 * (board.config.bootTimeoutMs ?? 30_000);

  return phase(`fault plan: ${describePlan(plan)}`, async () => {
    await board.install(baseline);
    const opBase = board.sim?.flash.stats.ops ?? 0;
    const updateLine = board.console.lines.length;
    const ctx = (fromLine: number, signal: AbortSignal, delivery?: TriggerContext['delivery']): TriggerContext => ({ board, delivery, opBase, fromLine, rng, signal, timeoutMs });

    // The update itself, driven by the same recovery procedure, with the first cut racing it.
    const driver = new BoardDut(board);
    const delivery = await board.ota.start(candidate);
    const stall = heldStall(board.config, plan);
    if (stall) void holdFor(delivery, stall);
    const update = (async () => {
      const ok = await delivery.delivered().then(() => true, () => false);
      return recover(driver, versions, expectation, { poweredOn: ok, noRebootWithinMs });
    })();
    update.catch(() => undefined); // interrupted by a cut: its result no longer matters

    let recovery: Recovery | null = null;
    let lastOn = updateLine; // console line where the current life's boots start
    if (cuts.length === 0) recovery = await update;
    else {
      const stop = new AbortController();
      const first = cutWhen(cuts[0]!, { ...ctx(updateLine, stop.signal, delivery), onFire: () => driver.cancel() });
      // Once the cut fires the driver is cancelled: its Interrupted must not win the race.
      const never = new Promise<never>(() => undefined);
      const rest = update.then(
        (done) => ({ done }),
        (e: unknown) => {
          if (e instanceof Interrupted) return never;
          throw e;
        },
      );
      const won = await Promise.race([first.then((cut) => ({ cut })), rest]);
      if ('done' in won) {
        stop.abort();
        recovery = won.done;
        fired.push(false);
      } else if (won.cut === null) {
        recovery = await update;
        fired.push(false);
      } else {
        driver.cancel();
        fired.push(true);
        lastOn = won.cut;
      }
    }

    if (recovery === null) {
      // Further cuts land while the board recovers from the previous one.
      // A reset leaves the board powered (unless the supply was already off when it came).
      const stillOn = async (c: Cut) => c.reset === true && (await board.power.state()) !== 'off';
      let poweredOn = await stillOn(cuts[0]!);
      for (let i = 1; i < cuts.length; i++) {
        if (!poweredOn) {
          await sleep(cuts[i - 1]!.offMs ?? DEFAULT_OFF_MS);
          lastOn = board.console.lines.length;
          await board.power.restore();
        }
        const at = await cutWhen(cuts[i]!, ctx(lastOn, new AbortController().signal));
        fired.push(at !== null);
        if (at === null) {
          poweredOn = true;
          break;
        }
        poweredOn = await stillOn(cuts[i]!);
        lastOn = at;
      }
      if (!poweredOn) await sleep(cuts[fired.length - 1]!.offMs ?? DEFAULT_OFF_MS);
      recovery = await recover(new BoardDut(board, {}, poweredOn ? lastOn : undefined), versions, expectation, { poweredOn });
    }

    const cutsOut = cuts.map((c, i) => ({ step: `cuts/${i}`, what: describeCut(c), fired: fired[i] ?? false }));
    const firedText = cuts.length ? ` [${cutsOut.map((c) => `${c.step} ${c.fired ? 'fired' : 'never triggered'}`).join(', ')}]` : '';
    const summary = `${board.name}: ${describePlan(plan)}${firedText} → ${recovery.outcome}${recovery.ok ? '' : ' (FAIL)'}: ${recovery.boots.join(' → ')}${recovery.detail ? ` (${recovery.detail})` : ''}`;
    board.console.note(`fault plan verdict: ${summary}`);
    // Passed, but only as the stack documents it: the result says so (the report and the gate see it).
    const risk = riskOf(recovery.outcome, board.stack, expectation);
    if (risk) await recordRisk(risk.label, risk.description);
    return { plan, board: board.name, cuts: cutsOut, expectation, recovery, ok: recovery.ok, summary };
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stall the transport cannot make itself: hold the delivery at its point, then let it go. */
async function holdFor(delivery: TriggerContext['delivery'] & object, stall: { fraction?: number; bytes?: number; ms: number }): Promise<void> {
  const point = stall.bytes !== undefined ? { bytes: stall.bytes } : { fraction: stall.fraction };
  const reached = await delivery.reached(point).then(() => true, () => false);
  if (!reached) return;
  await sleep(stall.ms);
  delivery.resume();
}
