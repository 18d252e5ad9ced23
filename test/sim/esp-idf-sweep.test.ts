// Power cuts at every flash operation of an ESP-IDF update and its commit (download, esp_ota_end,
// esp_ota_set_boot_partition, the bootloader's NEW→PENDING_VERIFY rewrite, mark-valid), between
// operations and torn mid-operation. Each cut must end on the baseline or the candidate, never a
// brick, and exactly where the otadata rules say: only a complete, committed entry keeps the
// candidate. Seeded bugs in otadata handling must fail the same check.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_UP, BASELINE, Board, CANDIDATE, bootOnce, cleanup, serve, until, type Outcome } from './esp-idf-helpers.ts';
import { armFrom, tornFraction } from './stack-kit.ts';
import type { FlashSnapshot } from '../../harness/sim/flash.ts';
import type { SimConfig } from '../../harness/rig/schema.ts';
import type { ImageBuild } from '../../harness/sim/stack.ts';

after(cleanup);

const OTADATA = { from: 0xd000, to: 0xf000 };
const SWEEP: SimConfig = { timeScale: 100_000 };

interface Chain {
  board: Board;
  ready: FlashSnapshot;
  url: string;
  base: string;
  cand: string;
  /** Flash ops (counted from `ready`) that touch otadata, in order. */
  otadataOps: number[];
  total: number;
}

/** Boot, `ota <url>`, wait for the trial boot, `ota confirm`; stops early when the power goes. */
async function runFlow(board: Board, url: string): Promise<'done' | 'cut'> {
  const up = () => !board.device.powered;
  const seen = (re: RegExp, from: number) => board.lines.slice(from).some((l) => re.test(l));
  const m = await board.powerCycle();
  await until(() => up() || seen(APP_UP, m), 5000);
  if (up()) return 'cut';
  const m2 = board.mark();
  board.send(`ota ${url}`);
  await until(() => up() || seen(APP_UP, m2) || seen(/Firmware upgrade failed/, m2), 5000);
  if (up()) return 'cut';
  const m3 = board.mark();
  board.send('ota confirm');
  await until(() => up() || seen(/app marked valid|already valid|failed/, m3), 5000);
  if (up()) return 'cut';
  await board.powerOff();
  return 'done';
}

/**
 * A board whose baseline runs from factory ('factory'), or from ota_0 after a confirmed update
 * ('ota': the next update goes to ota_1 through the other otadata sector).
 */
async function chain(kind: 'factory' | 'ota', config: SimConfig = {}): Promise<Chain> {
  const board = new Board({ ...SWEEP, ...config });
  board.install(BASELINE);
  let base = BASELINE.version;
  let cand: ImageBuild = CANDIDATE;
  if (kind === 'ota') {
    const first = await serve(board.image({ ...CANDIDATE, confirm: 'self' }));
    assert.equal(await runFlow(board, first.url), 'done');
    base = CANDIDATE.version;
    cand = { version: '1.2.0', boot: 'ok', confirm: 'wait', size: 52000 };
  }
  const ready = board.device.flash.snapshot();
  const server = await serve(board.image(cand));
  const otadataOps: number[] = [];
  board.device.flash.onOp = (op, n) => {
    if (op.addr >= OTADATA.from && op.addr < OTADATA.to) otadataOps.push(n - ready.counters.ops);
  };
  assert.equal(await runFlow(board, server.url), 'done');
  board.device.flash.onOp = null;
  const total = board.device.flash.stats.ops - ready.counters.ops;
  return { board, ready, url: server.url, base, cand: cand.version, otadataOps, total };
}

/** What the otadata rules promise after a cut before (or during) op `n`: [recovery boot, the boot after]. */
function expected(c: Chain, n: number, torn: boolean): [Outcome, Outcome] {
  const [, , pendingErase, , , commit] = c.otadataOps as [number, number, number, number, number, number];
  if (n > commit) return [c.cand, c.cand]; // no cut: committed
  // Cut right before the bootloader rewrites the NEW entry: the trial happens at the next boot.
  if (n === pendingErase && !torn) return [c.cand, c.base];
  // Anything else: the new entry is incomplete, erased, torn, or an uncommitted trial.
  return [c.base, c.base];
}

async function cutAt(c: Chain, n: number, torn: boolean): Promise<string | null> {
  const flash = c.board.device.flash;
  armFrom(c.board, c.ready, n, torn, tornFraction(n));
  await runFlow(c.board, c.url);
  flash.armCut(null);
  const rec = await bootOnce(c.board);
  const next = await bootOnce(c.board);
  const want = expected(c, n, torn);
  if (rec.outcome === want[0] && next.outcome === want[1]) return null;
  return `N=${n}${torn ? ' torn' : ''}: ${rec.outcome} then ${next.outcome} (want ${want.join(' then ')}; ${c.board.inspect().detail})`;
}

async function sweep(c: Chain, indices: number[]): Promise<string[]> {
  const bad: string[] = [];
  for (const torn of [false, true]) {
    for (const n of indices) {
      const r = await cutAt(c, n, torn);
      if (r) bad.push(r);
    }
  }
  return bad;
}

const every = (c: Chain) => Array.from({ length: c.total + 1 }, (_, i) => i + 1);
/** The otadata window only (where every seeded bug lives): a few ops either side of it. */
const otadataWindow = (c: Chain) => every(c).filter((n) => n >= c.otadataOps[0]! - 1);

for (const kind of ['factory', 'ota'] as const) {
  test(`baseline in ${kind}: a cut at every flash op of the update and commit, clean and torn, ends as otadata promises`, async (t) => {
    const c = await chain(kind);
    t.diagnostic(`update + trial + commit: ${c.total} flash ops; otadata ops at ${c.otadataOps.join(', ')}`);
    // erase+write (set_boot_partition), erase+write (NEW→PENDING_VERIFY), erase+write (mark valid)
    assert.equal(c.otadataOps.length, 6);
    assert.deepEqual(c.otadataOps.slice(-1), [c.total], 'the commit is the last flash op');
    const bad = await sweep(c, every(c));
    assert.deepEqual(bad, []);
    assert.equal(c.board.device.flash.stats.dirtyPrograms, 0, 'programmed over unerased cells');
  });
}

test('the update writes only the passive slot and one otadata sector (the inactive one)', async () => {
  for (const [kind, sector] of [['factory', 0xd000], ['ota', 0xe000]] as const) {
    const c = await chain(kind);
    const addrs = new Set<number>();
    c.board.device.flash.restore(c.ready);
    c.board.device.flash.onOp = (op) => {
      if (op.addr >= OTADATA.from && op.addr < OTADATA.to) addrs.add(op.addr);
    };
    await runFlow(c.board, c.url);
    c.board.device.flash.onOp = null;
    assert.deepEqual([...addrs], [sector], kind);
  }
});

const MUTANT_CHAIN: Record<string, 'factory' | 'ota'> = {
  'crc-not-checked': 'factory', // a torn entry is believed: the candidate stays without a commit
  'write-active-sector': 'ota', // the valid entry is erased first: a cut falls back to factory
  'no-abort-pending': 'factory', // the unconfirmed trial is never aborted
};

for (const [mutant, kind] of Object.entries(MUTANT_CHAIN)) {
  test(`mutant ${mutant}: the cut sweep over the otadata window catches it`, async (t) => {
    const c = await chain(kind, { mutant });
    const bad = await sweep(c, otadataWindow(c));
    t.diagnostic(`${bad.length} bad cut points, e.g. ${bad.slice(0, 2).join('; ')}`);
    assert.ok(bad.length > 0, `${mutant} survived every cut`);
  });
}
