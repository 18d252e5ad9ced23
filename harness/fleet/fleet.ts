// A fleet: many of the rig's boards open at once in one test, each composed exactly as the `board`
// fixture composes one (Board.open: console, power, transport, installer, commit by kind). A
// fleet test runs once, in the rig's "fleet" project, over the boards the run's OTA_HIL_BOARDS
// filter picks; simulated boards can be multiplied (esp8266-1 → esp8266-1.1 … esp8266-1.N), real
// ones cannot. The rollouts it ran are kept for the report.
import type { Rig } from '../rig/load.ts';
import type { BoardConfig } from '../rig/schema.ts';
import { matchesFilter, parseFilter } from '../rig/filter.ts';
import { Board } from '../fixtures/board.ts';
import { Rollout, type RolloutOptions } from './rollout.ts';

export interface FleetOptions {
  /** The run's board filter (OTA_HIL_BOARDS syntax). */
  filter?: string;
  /** Simulated boards per rig board (default 1: the rig's boards as they are). */
  copies?: number;
  /** Boards opened or installed at a time (default 8). */
  concurrency?: number;
}

export class Fleet {
  readonly rollouts: Rollout[] = [];

  private constructor(
    readonly rig: Rig,
    readonly boards: Board[],
    private readonly concurrency: number,
  ) {}

  static async open(rig: Rig, opts: FleetOptions = {}): Promise<Fleet> {
    const terms = parseFilter(opts.filter ?? '');
    const copies = opts.copies ?? 1;
    const configs: BoardConfig[] = [];
    for (const b of rig.boards.filter((c) => matchesFilter(c, terms))) {
      if (copies === 1) configs.push(b);
      else if (b.sim) for (let i = 1; i <= copies; i++) configs.push({ ...b, name: `${b.name}.${i}` });
    }
    if (configs.length === 0) throw new Error(`${rig.file}: no board for a fleet matches "${opts.filter ?? ''}"`);
    const boards: Board[] = [];
    const concurrency = opts.concurrency ?? 8;
    try {
      await eachLimited(configs, concurrency, async (c) => void boards.push(await Board.open(rig, c)));
    } catch (e) {
      await Promise.all(boards.map((b) => b.close()));
      throw e;
    }
    boards.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    return new Fleet(rig, boards, concurrency);
  }

  board(name: string): Board {
    const b = this.boards.find((x) => x.name === name);
    if (!b) throw new Error(`fleet: no board ${name} (boards: ${this.boards.map((x) => x.name).join(', ')})`);
    return b;
  }

  /** Boards whose tags match a filter, in the same syntax. */
  select(filter: string): Board[] {
    const terms = parseFilter(filter);
    return this.boards.filter((b) => matchesFilter(b.config, terms));
  }

  /** Put `boards` (default all) on the image named `image` (default "baseline"), a few at a time. */
  async install(image = 'baseline', boards: readonly Board[] = this.boards): Promise<void> {
    await eachLimited(boards, this.concurrency, async (b) => {
      const img = b.images[image];
      if (!img) throw new Error(`${b.name}: no image "${image}"`);
      await b.install(img);
    });
  }

  /** A rollout over the fleet's boards; started at once. */
  rollout(opts: RolloutOptions): Rollout {
    const r = new Rollout(this.boards, opts);
    this.rollouts.push(r);
    return r.start();
  }

  async close(): Promise<void> {
    for (const r of this.rollouts) r.stop();
    await Promise.all(this.boards.map((b) => b.close()));
  }
}

/** Run `fn` over `items`, at most `limit` at a time; the first failure rejects once all have stopped. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
}
