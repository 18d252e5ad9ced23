// `ota-hil sim ops RIG BOARD [--json]`: run the board's update flow once on the simulator (install
// the baseline, deliver the candidate through the rig's transport, withhold the commit until it
// reverts) and count the flash operations of each phase. The windows say which operations a power
// cut can hit in each phase, so a cut plan for hardware can be written in the same terms: on the
// shipped MCUboot example rigs the counts are real MCUboot v2.4's, operation for operation.
import { loadRig } from '../rig/load.ts';
import { Board } from '../fixtures/board.ts';
import { recordUpdate, type Recording } from '../faults/record.ts';
import { PHASES, type Phase } from '../faults/phases.ts';
import { processIo, type CliIo } from './io.ts';

export const OPS_USAGE = `usage: ota-hil sim ops RIG BOARD [--json]
  Runs BOARD's update once on the simulator (baseline installed, candidate delivered through the
  rig's transport, commit withheld so it reverts) and prints the flash operations per phase and
  the power-loss windows: the operations (counted from the update's start) a cut can land on.
  --json   machine-readable: { phases: { download, swap, revert, ... }, windows: [...] }
`;

export interface OpsWindow {
  phase: Phase;
  /** First and last operation of the phase, 1-based from the start of the update. */
  fromOp: number;
  toOp: number;
  erases: number;
  programs: number;
}

export interface OpsReport {
  rig: string;
  board: string;
  stack: string;
  versions: { baseline: string; candidate: string };
  reverted: boolean;
  total: number;
  phases: Record<Phase, number>;
  windows: OpsWindow[];
}

export function opsReport(rigFile: string, rec: Recording): OpsReport {
  const phases = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  const windows: OpsWindow[] = [];
  rec.ops.forEach((op, i) => {
    phases[op.phase]++;
    let w = windows[windows.length - 1];
    if (!w || w.phase !== op.phase) windows.push((w = { phase: op.phase, fromOp: i + 1, toOp: i + 1, erases: 0, programs: 0 }));
    w.toOp = i + 1;
    if (op.kind === 'erase') w.erases++;
    else w.programs++;
  });
  return { rig: rigFile, board: rec.board, stack: rec.stack.name, versions: rec.versions, reverted: rec.result.ok, total: rec.ops.length, phases, windows };
}

export function formatOps(r: OpsReport): string {
  const out = [`${r.board} (${r.stack}) on ${r.rig}: update ${r.versions.baseline} → ${r.versions.candidate}, commit withheld`, ''];
  out.push(`${'phase'.padEnd(10)}${'ops'.padStart(6)}${'erases'.padStart(8)}${'programs'.padStart(10)}   power-loss window (operations of the update)`);
  for (const w of r.windows) {
    out.push(`${w.phase.padEnd(10)}${String(w.toOp - w.fromOp + 1).padStart(6)}${String(w.erases).padStart(8)}${String(w.programs).padStart(10)}   ${w.fromOp}–${w.toOp}`);
  }
  out.push(`${'total'.padEnd(10)}${String(r.total).padStart(6)}`, '');
  out.push('Every erase call and every write call is one operation. A cut "at operation n" loses power before');
  out.push('operation n completes; count n from the first flash operation after the update starts.');
  if (!r.reverted) out.push('', 'WARNING: the uninterrupted update did not end on the baseline as promised; the counts describe that run.');
  return out.join('\n');
}

export async function opsCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  const json = argv.includes('--json');
  const pos = argv.filter((a) => !a.startsWith('--'));
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(OPS_USAGE);
    return 0;
  }
  if (pos.length !== 2) {
    io.stderr.write(OPS_USAGE);
    return 2;
  }
  const [rigFile, boardName] = pos as [string, string];
  try {
    const rig = loadRig(rigFile);
    const config = rig.boards.find((b) => b.name === boardName);
    if (!config) throw new Error(`${rig.file}: no board named ${JSON.stringify(boardName)} (boards: ${rig.boards.map((b) => b.name).join(', ')})`);
    if (!config.sim) throw new Error(`${rig.file}: board ${boardName} is not simulated (it has no "sim" section)`);
    const board = await Board.open(rig, config);
    let rec: Recording;
    try {
      const { baseline, candidate } = board.images;
      if (!baseline || !candidate) throw new Error(`${rig.file}: board ${boardName} needs images "baseline" and "candidate"`);
      rec = await recordUpdate(board, { flow: 'withhold', baseline, candidate });
    } finally {
      await board.close();
    }
    const report = opsReport(rigFile, rec);
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatOps(report)}\n`);
    return report.reverted ? 0 : 1;
  } catch (e) {
    io.stderr.write(`ota-hil sim ops: ${(e as Error).message}\n`);
    return 1;
  }
}
