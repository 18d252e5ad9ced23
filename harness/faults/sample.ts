// Sampled power cuts, for hardware (and the sim as a smoke test): iteration i of seed s is a fault
// plan drawn from a seeded distribution — a cut at a download fraction, or a delay after the first
// boot of the update or after the line where the install starts — sometimes with a second cut
// while the board recovers, sometimes with a withheld commit. The plan depends on (seed, i) only,
// so one command reruns any iteration.
import { mulberry32 } from '../sim/flash.ts';
import type { StackPromises } from '../fixtures/promises.ts';
import type { Cut, FaultPlan } from './plan.ts';

export interface SampleSpace {
  /** Download fractions to cut at, [lo, hi]. */
  download: readonly [number, number];
  /** Cut a delay (0..maxDelayMs, wall time) after the Nth boot of the update begins. */
  boot: { boot: number; maxDelayMs: number } | null;
  /** Cut a delay after the line that shows the install (swap, copy) starting. */
  line: { pattern: string; maxDelayMs: number } | null;
  /** Chance of withholding the commit (stacks that can roll back). */
  withhold: number;
  /** Chance of a second cut while recovering, within maxDelayMs of power returning. */
  repeat: number;
  repeatMaxDelayMs: number;
}

/** A space for a stack: its promises say whether it has an install line and a rollback. */
export function defaultSpace(promises: StackPromises, maxDelayMs = 300): SampleSpace {
  return {
    download: [0.02, 0.98],
    boot: { boot: 1, maxDelayMs },
    line: promises.swapStarts ? { pattern: promises.swapStarts.source, maxDelayMs } : null,
    withhold: promises.withheldCommit ? 0.3 : 0,
    repeat: 0.25,
    repeatMaxDelayMs: maxDelayMs,
  };
}

/** The plan of iteration `i` under `seed`: the same for the same pair, everywhere. */
export function samplePlan(seed: number, i: number, space: SampleSpace): FaultPlan {
  const rng = mulberry32(mix(seed, i));
  const pick = (lo: number, hi: number) => lo + (hi - lo) * rng();
  const kinds = (['download', 'boot', 'line'] as const).filter((k) => k === 'download' || space[k] !== null);
  const kind = kinds[Math.floor(rng() * kinds.length)]!;
  const cuts: Cut[] = [];
  if (kind === 'download') cuts.push({ kind: 'download', fraction: +pick(space.download[0], space.download[1]).toFixed(4) });
  else if (kind === 'boot') cuts.push({ kind: 'boot', boot: space.boot!.boot, delayMs: Math.floor(pick(0, space.boot!.maxDelayMs)) });
  else cuts.push({ kind: 'console', pattern: space.line!.pattern, delayMs: Math.floor(pick(0, space.line!.maxDelayMs)) });
  if (rng() < space.repeat) cuts.push({ kind: 'power-on', delayMs: Math.floor(pick(0, space.repeatMaxDelayMs)) });
  const commit = rng() < space.withhold ? 'withhold' : 'confirm';
  return { name: `sampled cut, seed ${seed} iteration ${i}`, commit, cuts, seed: mix(seed, i) };
}

/** Seed from OTA_HIL_SEED, else today's UTC date (so every worker of a run agrees, and nights differ). */
export function sampleSeed(env: NodeJS.ProcessEnv = process.env, now = new Date()): { seed: number; from: string } {
  const raw = env.OTA_HIL_SEED;
  if (raw !== undefined && raw !== '') {
    const seed = Number(raw);
    if (!Number.isSafeInteger(seed)) throw new Error(`OTA_HIL_SEED=${raw}: expected an integer`);
    return { seed, from: 'OTA_HIL_SEED' };
  }
  return { seed: Number(now.toISOString().slice(0, 10).replaceAll('-', '')), from: 'the date (set OTA_HIL_SEED to choose)' };
}

/** Iterations to run: OTA_HIL_ITERATION picks one, else 0..OTA_HIL_ITERATIONS-1 (default `n`). */
export function sampleIterations(env: NodeJS.ProcessEnv = process.env, n = 4): number[] {
  const one = env.OTA_HIL_ITERATION;
  if (one !== undefined && one !== '') {
    const i = Number(one);
    if (!Number.isInteger(i) || i < 0) throw new Error(`OTA_HIL_ITERATION=${one}: expected an integer >= 0`);
    return [i];
  }
  const count = env.OTA_HIL_ITERATIONS ? Number(env.OTA_HIL_ITERATIONS) : n;
  if (!Number.isInteger(count) || count < 1) throw new Error(`OTA_HIL_ITERATIONS=${env.OTA_HIL_ITERATIONS}: expected an integer >= 1`);
  return Array.from({ length: count }, (_, i) => i);
}

/** The one command that reruns iteration `i`. */
export function reproduceCommand(seed: number, i: number, file: string, project?: string, env: NodeJS.ProcessEnv = process.env): string {
  const rig = env.OTA_HIL_RIG ? `OTA_HIL_RIG=${env.OTA_HIL_RIG} ` : '';
  return `${rig}OTA_HIL_SEED=${seed} OTA_HIL_ITERATION=${i} npx playwright test ${file}${project ? ` --project ${project}` : ''}`;
}

/** Seed and iteration into one 32-bit seed, well mixed (neighbouring iterations differ everywhere). */
function mix(seed: number, i: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}
