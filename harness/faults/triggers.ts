// When a planned cut fires, and the cut itself, through the board's public parts: the delivery's
// hold point, console lines, boots parsed from the console, or (simulated boards only) a cut armed
// in the flash at operation N. Each waits until its trigger, cuts, and says whether it fired.
import type { Board } from '../fixtures/board.ts';
import type { OtaDelivery } from '../ota/transport.ts';
import { describeCut, type Cut } from './plan.ts';
import { waitOn } from './wait.ts';

export interface TriggerContext {
  board: Board;
  /** The update's delivery (download cuts hold it at their byte). */
  delivery?: OtaDelivery;
  /** Flash operations done before the update began (sim): flash-op cuts count from here. */
  opBase: number;
  /** Console line where the watched stretch began (the update, or the last power-on). */
  fromLine: number;
  /** 0..1 draws for jitter, from the plan's seed. */
  rng: () => number;
  /** Give up waiting (the update ended without reaching the trigger). */
  signal: AbortSignal;
  /** Called the instant the trigger fires, before the cut: whatever drove the board must stop now. */
  onFire?: () => void;
  timeoutMs: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** Resolves undefined when `signal` aborts first. */
function unlessAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  p.catch(() => undefined); // an abandoned wait may fail later: nobody is listening any more
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(undefined);
    signal.addEventListener('abort', () => resolve(undefined), { once: true });
    p.then(resolve, reject);
  });
}

/**
 * Wait for `cut`'s trigger and cut the power (or reset); resolves with the console line count at
 * that moment (where the next life's boots start), or null when the trigger never came.
 */
export async function cutWhen(cut: Cut, ctx: TriggerContext): Promise<number | null> {
  const { board, signal } = ctx;
  const waitLine = <T>(probe: () => T | undefined, what: string) => waitOn(board.console, probe, ctx.timeoutMs, what, () => signal.aborted);
  const delay = (d?: number, j?: number) => sleep((d ?? 0) + Math.floor((j ?? 0) * ctx.rng()), signal);
  board.console.note(`fault armed: ${describeCut(cut)}`);
  switch (cut.kind) {
    case 'download': {
      if (!ctx.delivery) throw new Error(`${board.name}: a download cut needs the update's delivery`);
      const point = cut.bytes !== undefined ? { bytes: cut.bytes } : { fraction: cut.fraction };
      if ((await unlessAborted(ctx.delivery.reached(point, { timeout: ctx.timeoutMs }).catch(() => undefined), signal)) === undefined) return null;
      break;
    }
    case 'console': {
      const re = new RegExp(cut.pattern);
      const n = cut.occurrence ?? 1;
      const hit = await waitLine(() => (board.console.lines.slice(ctx.fromLine).filter((l) => re.test(l.text)).length >= n ? true : undefined), `line /${cut.pattern}/`);
      if (!hit) return null;
      await delay(cut.delayMs, cut.jitterMs);
      break;
    }
    case 'boot': {
      const hit = await waitLine(() => (board.boots.all().filter((b) => b.startLine >= ctx.fromLine).length >= cut.boot ? true : undefined), `boot ${cut.boot}`);
      if (!hit) return null;
      await delay(cut.delayMs, cut.jitterMs);
      break;
    }
    case 'power-on':
      await delay(cut.delayMs, cut.jitterMs);
      break;
    case 'flash-op': {
      const sim = board.sim;
      if (!sim) throw new Error(`${board.name}: flash-op cuts need a simulated board`);
      if (cut.reset) return resetAfterOp(ctx, cut.op);
      sim.flash.armCut({ atOp: ctx.opBase + cut.op, torn: cut.torn, fraction: cut.fraction });
      // The flash loses power itself when the device reaches that operation (which may be in a
      // later life: the harness's own power cycles leave the cut armed).
      const fired = () => {
        const gone = sim.flash.armedCut === null && !sim.powered;
        if (gone) ctx.onFire?.(); // the driver may already be reacting to the dead console
        return gone;
      };
      const end = performance.now() + ctx.timeoutMs;
      while (!fired() && !signal.aborted && performance.now() < end) await sleep(1);
      if (!fired()) {
        sim.flash.armCut(null);
        return null;
      }
      await sim.settled();
      break;
    }
  }
  if (signal.aborted) return null;
  const at = board.console.lines.length;
  ctx.onFire?.();
  if (cut.reset) {
    if (!board.sim) throw new Error(`${board.name}: the harness has no reset line to a hardware board yet`);
    board.console.note('reset (RST pin)');
    board.sim.reset();
    return at;
  }
  await board.power.cut(); // on a flash-op cut the supply is already gone; this records it
  return at;
}

/** Pull the reset line right after flash operation N completes (whichever life reaches it). */
async function resetAfterOp(ctx: TriggerContext, op: number): Promise<number | null> {
  const { board, signal } = ctx;
  const sim = board.sim!;
  const target = ctx.opBase + op;
  const prev = sim.flash.onOp;
  let at: number | null = null;
  sim.flash.onOp = (o, n) => {
    prev?.(o, n);
    if (n !== target || at !== null) return;
    at = board.console.lines.length;
    ctx.onFire?.();
    board.console.note(`reset (RST pin) after flash operation ${op}`);
    sim.reset();
  };
  const end = performance.now() + ctx.timeoutMs;
  while (at === null && !signal.aborted && performance.now() < end) await sleep(1);
  sim.flash.onOp = prev;
  return at;
}
