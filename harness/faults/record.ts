// Record one whole update on a simulated board, once: install the baseline, deliver the candidate
// through the rig's transport, then recover as the harness does (commit it, or withhold the
// commit and power-cycle until it reverts). Every flash operation is journalled as it completes
// (onOp): its range and resulting bytes, the counters, the console line count and the harness
// stage. The flash at any cut point is then the base snapshot plus a prefix of the journal.
import type { Board } from '../fixtures/board.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import type { StackPromises } from '../fixtures/promises.ts';
import type { BootLogParser } from '../bootlog/boot.ts';
import type { FlashCounters, FlashOp, FlashSnapshot } from '../sim/flash.ts';
import type { SimDeviceConfig, SimStack } from '../sim/stack.ts';
import type { CommitConfig } from '../rig/schema.ts';
import { BoardDut } from './board-dut.ts';
import { recover, type Flow, type Recovery, type Versions } from './recover.ts';
import { bootPosition, expectationFor, phaseOf, type Phase, type Stage } from './phases.ts';

export interface RecordedOp {
  kind: 'erase' | 'program';
  addr: number;
  len: number;
  /** A program's range after it completed (an erase leaves 0xff). */
  data: Uint8Array | null;
  /** Flash counters after the operation. */
  after: FlashCounters;
  phase: Phase;
}

export interface Recording {
  board: string;
  stack: SimStack;
  /** The board's simulator config (as built, defaults applied, with its firmware build options). */
  config: SimDeviceConfig;
  commit: CommitConfig | undefined;
  parser: BootLogParser;
  promises: StackPromises;
  versions: Versions;
  flow: Flow;
  /** Flash when the update began (before its first operation). */
  base: FlashSnapshot;
  ops: RecordedOp[];
  /** The console of the recorded run, from the update's start. */
  console: string[];
  /** How the uninterrupted update ended: it must keep its own promise before any cut can. */
  result: Recovery;
  ms: number;
}

export interface RecordOptions {
  flow: Flow;
  baseline: FirmwareImage;
  candidate: FirmwareImage;
  /**
   * Update to this image and commit it first (not recorded), so the recorded update starts from
   * the slot an update left, not from the one a programmer wrote (A/B stacks alternate slots).
   * The running image of the recorded update is then `via`.
   */
  via?: FirmwareImage;
}

export async function recordUpdate(board: Board, opts: RecordOptions): Promise<Recording> {
  const sim = board.sim;
  if (!sim) throw new Error(`${board.name}: recording an update for a sweep needs a simulated board`);
  const t0 = performance.now();
  const promises = board.promises;
  const running = opts.via ?? opts.baseline;
  const versions = { baseline: running.version, candidate: opts.candidate.version };
  // The device's own UART, synchronously: each operation sees exactly the lines printed before it.
  // From before the install, so the baseline's boot parses as it does on the harness console.
  const lines: string[] = [];
  let partial = '';
  const onTx = (b: Buffer) => {
    const parts = (partial + b.toString('utf8')).split('\n');
    partial = parts.pop()!;
    for (const p of parts) lines.push(p.replace(/\r$/, ''));
  };
  const raw: { op: Omit<RecordedOp, 'phase'>; line: number; stage: Stage }[] = [];
  let stage: Stage = 'update';
  sim.uart.on('tx', onTx);
  let updateLine = 0;
  let base: FlashSnapshot;
  const onOp = (op: FlashOp) => {
    const data = op.kind === 'program' ? sim.flash.read(op.addr, op.len) : null;
    raw.push({ op: { ...op, data, after: sim.flash.stats }, line: lines.length, stage });
  };
  let result: Recovery;
  try {
    await board.install(opts.baseline);
    if (opts.via) await updateTo(board, opts.baseline, opts.via, promises);
    updateLine = lines.length;
    base = sim.flash.snapshot();
    sim.flash.onOp = onOp;
    const dut = new BoardDut(board, { commit: (s) => (stage = s) });
    const delivery = await board.ota.start(opts.candidate);
    let delivered = true;
    await delivery.delivered().catch(() => (delivered = false));
    result = await recover(dut, versions, { ...expectationFor(opts.flow, 'download', promises), allowed: opts.flow === 'confirm' ? ['candidate'] : ['baseline'] }, { poweredOn: delivered });
  } finally {
    sim.flash.onOp = null;
    sim.uart.off('tx', onTx);
  }
  const position = bootPosition(board.boots.parser, lines, updateLine);
  const ops = raw.map(({ op, line, stage: s }) => {
    const p = position(line);
    return { ...op, phase: phaseOf(opts.flow, s, p.boots, p.inBootloader) };
  });
  base = shareBytes(base, ops);
  return {
    board: board.name,
    stack: sim.stack,
    config: sim.config,
    commit: board.config.commit,
    parser: board.boots.parser,
    promises,
    versions,
    flow: opts.flow,
    base,
    ops,
    console: lines.slice(updateLine),
    result,
    ms: performance.now() - t0,
  };
}

/**
 * The base flash and every program's bytes moved into one SharedArrayBuffer: a sweep's threads
 * (sweep-threads.ts) then read the one recording instead of a copy each, and thousands of small
 * buffers become one.
 */
function shareBytes(base: FlashSnapshot, ops: RecordedOp[]): FlashSnapshot {
  let total = base.bytes.length;
  for (const o of ops) total += o.data?.length ?? 0;
  const all = new Uint8Array(new SharedArrayBuffer(total));
  all.set(base.bytes);
  let at = base.bytes.length;
  for (const o of ops) {
    if (!o.data) continue;
    all.set(o.data, at);
    o.data = all.subarray(at, at + o.data.length);
    at += o.data.length;
  }
  return { bytes: all.subarray(0, base.bytes.length), counters: base.counters };
}

/** An uninterrupted, committed update to `image`; throws unless the board settles on it. */
async function updateTo(board: Board, from: FirmwareImage, image: FirmwareImage, promises: StackPromises): Promise<void> {
  const d = await board.ota.start(image);
  const delivered = await d.delivered().then(() => true, () => false);
  const r = await recover(new BoardDut(board), { baseline: from.version, candidate: image.version }, { ...expectationFor('confirm', 'download', promises), allowed: ['candidate'] }, { poweredOn: delivered });
  if (!r.ok) throw new Error(`${board.name}: the first update (to ${image.version}) did not land: ${r.outcome}; ${r.boots.join(' → ')}`);
  await board.power.restore(); // recover() leaves the board off; the recorded update starts from a running board
  await board.boots.next();
}

/** The rig image `name` rebuilt with its last version number raised (1.1.0 → 1.1.1): a third image. */
export function nextVersionOf(board: Board, name: string): FirmwareImage {
  const sim = board.sim;
  const spec = board.config.images?.[name] ?? board.rig.images[name];
  if (!sim || !spec?.sim) throw new Error(`${board.name}: image ${name} is not built by the simulator, so no next version can be made`);
  const m = /^(.*?)(\d+)(\D*)$/.exec(spec.version);
  if (!m) throw new Error(`${board.name}: image ${name} version ${spec.version} has no number to raise`);
  const version = `${m[1]}${Number(m[2]) + 1}${m[3]}`;
  const bytes = sim.stack.buildImage({ version, ...spec.sim }, sim.config);
  const image = (n: string, b: Uint8Array): FirmwareImage => ({
    name: n,
    version,
    bytes: b,
    corrupted: () => {
      const c = b.slice();
      c[c.length >> 1]! ^= 0x5a;
      return image(`${n}-corrupted`, c);
    },
  });
  return image(`${name}-next`, bytes);
}
