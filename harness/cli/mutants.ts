// `ota-hil mutants` (npm run mutants): the detection-power matrix. Runs the scenario suite, sweeps
// included, for every seeded bug (SimStack.mutants) of every simulated stack on the rig, and for
// every correct stack, then prints each mutant, whether it was caught and by which scenarios.
// Exits 1 when a mutant survives or a correct stack fails a scenario (a false alarm).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { caughtBy, matrixJobs, runMatrix, type MatrixRow } from '../faults/mutant-matrix.ts';
import { processIo, type CliIo } from './io.ts';

const USAGE = `usage: ota-hil mutants [--rig FILE] [--stack NAME]... [--mutant NAME]... [--jobs N] [--json FILE] [-- PLAYWRIGHT ARGS]
  --rig FILE      rig whose simulated boards are mutated (default rigs/sim.json; one board per stack)
  --stack NAME    only this stack (repeatable)
  --mutant NAME   only this mutant (repeatable; skips the correct-stack row)
  --jobs N        playwright runs at once (default: the number of CPUs)
  --json FILE     also write the matrix as JSON
  -- ARGS         passed to playwright test (e.g. scenario files)
`;

export async function mutantsCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        rig: { type: 'string', default: 'rigs/sim.json' },
        stack: { type: 'string', multiple: true },
        mutant: { type: 'string', multiple: true },
        jobs: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
  } catch (e) {
    io.stderr.write(`ota-hil mutants: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const o = parsed.values;
  if (o.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const jobs = await matrixJobs(o.rig, { stacks: o.stack, mutants: o.mutant });
  if (jobs.length === 0) {
    io.stderr.write(`ota-hil mutants: nothing to run (no simulated board${o.stack ? ` of stack ${o.stack.join(', ')}` : ''}${o.mutant ? ` with mutant ${o.mutant.join(', ')}` : ''} in ${o.rig})\n`);
    return 2;
  }
  const workDir = mkdtempSync(path.join(tmpdir(), 'ota-hil-mutants-'));
  const parallel = Number(o.jobs ?? availableParallelism());
  io.stdout.write(`${jobs.length} suite runs (${jobs.filter((j) => j.mutant).length} mutants, ${jobs.filter((j) => !j.mutant).length} correct stacks), ${parallel} at a time; reports under ${workDir}\n`);
  const t0 = performance.now();
  const rows = await runMatrix(jobs, {
    rigFile: o.rig,
    workDir,
    jobs: parallel,
    args: parsed.positionals,
    timeoutMs: 30 * 60_000,
    onRow: (r) => io.stdout.write(`  ${verdict(r).padEnd(12)} ${r.stack} ${r.mutant ?? '(correct)'} on ${r.board} — ${r.seconds} s\n`),
  });
  io.stdout.write(`\n${formatMatrix(rows)}\n\nwall time ${Math.round((performance.now() - t0) / 1000)} s\n`);
  if (o.json) writeFileSync(o.json, JSON.stringify(rows, null, 2));
  return rows.every((r) => r.ok) ? 0 : 1;
}

function verdict(r: MatrixRow): string {
  if (r.error) return 'NO VERDICT';
  if (r.mutant) return r.ok ? 'caught' : 'SURVIVED';
  return r.ok ? 'no alarm' : 'FALSE ALARM';
}

export function formatMatrix(rows: MatrixRow[]): string {
  const table = rows.map((r) => [
    r.stack,
    r.board,
    r.mutant ?? '(correct stack)',
    verdict(r),
    r.error ?? (r.mutant ? caughtBy(r.failed) || '—' : r.ok ? `${r.passed} passed, ${r.skipped} skipped` : `failed: ${r.failed.map((f) => f.title).join('; ')}`),
  ]);
  const head = ['stack', 'board', 'mutant', 'verdict', 'by (scenario files that failed)'];
  const w = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < head.length - 1 ? c.padEnd(w[i]!) : c)).join('  ');
  const caught = rows.filter((r) => r.mutant && r.ok).length;
  const mutants = rows.filter((r) => r.mutant).length;
  const clean = rows.filter((r) => !r.mutant);
  return [
    line(head),
    ...table.map(line),
    '',
    `${caught}/${mutants} mutants caught; ${clean.filter((r) => r.ok).length}/${clean.length} correct stacks without a false alarm`,
  ].join('\n');
}
