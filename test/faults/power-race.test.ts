// Power operations on a board are serialised. A relay or a hub tool takes its time to switch; a
// planned cut that fires while the recovery procedure's power-on is still under way must switch
// after it, not alongside it: otherwise the slower 'on' lands after the cut's 'off' and the board
// the harness believes cut keeps running, and the recovery after the cut switches a supply whose
// previous operation has not finished.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPlan } from '../../harness/faults/run-plan.ts';
import type { Board } from '../../harness/fixtures/board.ts';
import type { PowerState, PowerSwitch } from '../../harness/power/power-switch.ts';
import { smallRig, withBoard } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The simulated supply behind a switch that takes `onMs`/`offMs` to act; records overlapping operations. */
class SlowSwitch implements PowerSwitch {
  readonly description = 'slow simulated relay';
  readonly overlaps: string[] = [];
  /** What the supply did, in the order it did it. */
  readonly switched: ('on' | 'off')[] = [];
  private readonly busy = new Set<string>();

  constructor(
    private readonly board: Board,
    private readonly onMs: number,
    private readonly offMs: number,
  ) {}

  private async act(what: 'on' | 'off', ms: number): Promise<void> {
    const op = `${what} #${this.switched.length + this.busy.size + 1}`;
    if (this.busy.size) this.overlaps.push(`${op} while ${[...this.busy].join(', ')} was under way`);
    this.busy.add(op);
    await sleep(ms);
    if (what === 'on') this.board.sim!.powerOn();
    else this.board.sim!.powerOff();
    this.switched.push(what);
    this.busy.delete(op);
  }

  on(): Promise<void> {
    return this.act('on', this.onMs);
  }

  off(): Promise<void> {
    return this.act('off', this.offMs);
  }

  state(): Promise<PowerState> {
    return Promise.resolve(this.board.sim!.powered ? 'on' : 'off');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

test('a cut that fires while the recovery is still switching the power on waits for it, and the board is off after the cut', async () => {
  await withBoard(smallRig(), async (board) => {
    await board.install(board.images.baseline!);
    const sw = new SlowSwitch(board, 400, 20);
    (board.power as unknown as { sw: PowerSwitch }).sw = sw;
    // After the commit is acknowledged ('Image confirmed'; the baseline's boot says 'already
    // confirmed') the recovery cycles the power: off 20 ms, 50 ms off, on 400 ms. 150 ms after
    // the acknowledgement its 'on' is under way.
    const r = await runPlan(board, { name: 'cut into a slow power-on', cuts: [{ kind: 'console', pattern: 'app: Image confirmed', delayMs: 150 }] });
    assert.deepEqual(r.cuts.map((c) => c.fired), [true], r.summary);
    assert.deepEqual(sw.overlaps, [], `power operations overlapped:\n${board.console.transcript()}`);
    // The supply follows the harness's own record: every 'power off'/'power on' it noted, in order.
    const noted = board.console.events.flatMap((e) => (e.text === 'power off' ? ['off'] : e.text === 'power on' ? ['on'] : []));
    const planned = noted.slice(noted.length - sw.switched.length);
    assert.deepEqual(sw.switched, planned);
    assert.ok(r.ok, r.summary);
  });
});
