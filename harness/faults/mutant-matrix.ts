// Detection power: run the whole scenario suite (sweeps included) once per seeded bug of every
// simulated stack on a rig, and once on each correct stack. Each run is a real `playwright test`
// against a generated one-board rig with sim.mutant set; a mutant is caught when some scenario
// fails, and the correct stack must pass them all (no false alarm).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadRig } from '../rig/load.ts';
import type { BoardConfig } from '../rig/schema.ts';
import { simStack } from '../sim/registry.ts';
import { simDeviceConfig } from '../sim/stack.ts';

export interface MatrixJob {
  board: string;
  stack: string;
  /** null: the correct stack (the no-false-alarm row). */
  mutant: string | null;
  description: string;
}

export interface ScenarioResult {
  /** "file › describe › title". */
  title: string;
  file: string;
  status: 'passed' | 'failed' | 'skipped' | 'flaky';
}

export interface MatrixRow extends MatrixJob {
  /** Mutant: some scenario failed. Correct stack: every scenario passed or was skipped. */
  ok: boolean;
  failed: ScenarioResult[];
  passed: number;
  skipped: number;
  seconds: number;
  /** Why the run could not judge (the runner crashed, no report). */
  error?: string;
}

/**
 * One job per mutant of each simulated stack, on the first board of that stack built so the bug
 * can show (a skipped MD5 check needs an unsigned build), plus a correct-stack job for each board
 * that hosts mutants or is its stack's first.
 */
export async function matrixJobs(rigFile: string, only?: { stacks?: string[]; mutants?: string[] }): Promise<MatrixJob[]> {
  const rig = loadRig(rigFile);
  const jobs: MatrixJob[] = [];
  const placed = new Set<string>();
  const stacksSeen = new Set<string>();
  for (const b of rig.boards) {
    if (!b.sim || (only?.stacks?.length && !only.stacks.includes(b.stack))) continue;
    const stack = await simStack(b.stack, b.name);
    const config = simDeviceConfig(b);
    const mutants = Object.entries(stack.mutants).filter(
      ([m]) => (!only?.mutants?.length || only.mutants.includes(m)) && !placed.has(`${b.stack}/${m}`) && (stack.mutantApplies?.(m, config) ?? true),
    );
    const first = !stacksSeen.has(b.stack);
    stacksSeen.add(b.stack);
    if (!first && mutants.length === 0) continue;
    if (!only?.mutants?.length) jobs.push({ board: b.name, stack: b.stack, mutant: null, description: 'the correct stack' });
    for (const [mutant, description] of mutants) {
      placed.add(`${b.stack}/${mutant}`);
      jobs.push({ board: b.name, stack: b.stack, mutant, description });
    }
  }
  return jobs;
}

/** A rig with only `board`, built with `mutant`; image files keep pointing where they did. */
export function mutantRig(rigFile: string, board: string, mutant: string | null, outFile: string): void {
  const data = JSON.parse(readFileSync(rigFile, 'utf8')) as { boards: BoardConfig[]; images: Record<string, { file?: string }>; $schema?: string };
  const dir = path.dirname(path.resolve(rigFile));
  const abs = (images: Record<string, { file?: string }> | undefined) => {
    for (const img of Object.values(images ?? {})) if (img.file) img.file = path.resolve(dir, img.file);
  };
  abs(data.images);
  const b = data.boards.find((x) => x.name === board)!;
  abs(b.images);
  if (mutant) b.sim = { ...b.sim, mutant };
  delete data.$schema;
  data.boards = [b];
  writeFileSync(outFile, JSON.stringify(data, null, 2));
}

export interface RunOptions {
  rigFile: string;
  workDir: string;
  /** Playwright runs at once. */
  jobs: number;
  /** Extra playwright arguments (e.g. a subset of scenario files). */
  args: string[];
  timeoutMs: number;
  onRow?: (row: MatrixRow) => void;
}

export async function runMatrix(jobs: MatrixJob[], opts: RunOptions): Promise<MatrixRow[]> {
  const rows: MatrixRow[] = new Array<MatrixRow>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      rows[i] = await runJob(jobs[i]!, i, opts);
      opts.onRow?.(rows[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs) }, worker));
  return rows;
}

async function runJob(job: MatrixJob, i: number, opts: RunOptions): Promise<MatrixRow> {
  const dir = path.join(opts.workDir, `${String(i).padStart(2, '0')}-${job.stack}-${job.mutant ?? 'correct'}`);
  mkdirSync(dir, { recursive: true });
  const rig = path.join(dir, 'rig.json');
  mutantRig(opts.rigFile, job.board, job.mutant, rig);
  const t0 = performance.now();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OTA_HIL_RIG: rig,
    OTA_HIL_REPORTS: path.join(dir, 'reports'),
    CI: '',
    // A mutant needs one failing cut point per sweep; the correct stack gets the full sweep.
    ...(job.mutant ? { OTA_HIL_SWEEP_STOP_AFTER: '1' } : {}),
  };
  delete env.OTA_HIL_BOARDS;
  const out = await run('npx', ['playwright', 'test', '--reporter=json', '--workers=1', ...opts.args], env, opts.timeoutMs);
  writeFileSync(path.join(dir, 'report.json'), out.stdout);
  writeFileSync(path.join(dir, 'stderr.txt'), out.stderr);
  const base = { ...job, seconds: Math.round((performance.now() - t0) / 1000) };
  let results: ScenarioResult[];
  try {
    results = scenarioResults(JSON.parse(out.stdout) as JsonReport);
  } catch {
    return { ...base, ok: false, failed: [], passed: 0, skipped: 0, error: `no report (exit ${out.code}): ${out.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  }
  const failed = results.filter((r) => r.status === 'failed' || r.status === 'flaky');
  const passed = results.filter((r) => r.status === 'passed').length;
  const skipped = results.filter((r) => r.status === 'skipped').length;
  if (results.length === 0) return { ...base, ok: false, failed, passed, skipped, error: 'no scenario ran' };
  return { ...base, ok: job.mutant ? failed.length > 0 : failed.length === 0, failed, passed, skipped };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

interface JsonSuite {
  title: string;
  file?: string;
  specs?: { title: string; file: string; tests: { status: 'expected' | 'unexpected' | 'flaky' | 'skipped' }[] }[];
  suites?: JsonSuite[];
}
interface JsonReport {
  suites: JsonSuite[];
}

/** Every test of a Playwright JSON report, with its title path and status. */
export function scenarioResults(report: JsonReport): ScenarioResult[] {
  const out: ScenarioResult[] = [];
  const walk = (s: JsonSuite, titles: string[]) => {
    const here = s.title ? [...titles, s.title] : titles;
    for (const spec of s.specs ?? []) {
      for (const t of spec.tests) {
        const status = t.status === 'expected' ? 'passed' : t.status === 'unexpected' ? 'failed' : t.status;
        out.push({ title: [...here, spec.title].join(' › '), file: spec.file, status });
      }
    }
    for (const child of s.suites ?? []) walk(child, here);
  };
  for (const s of report.suites) walk(s, []);
  return out;
}

/** "power-loss-swap ×3, sweep" : the scenario files that caught a mutant, with counts. */
export function caughtBy(failed: ScenarioResult[]): string {
  const counts = new Map<string, number>();
  for (const f of failed) {
    const name = path.basename(f.file).replace(/\.spec\.ts$/, '');
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([n, c]) => (c > 1 ? `${n} ×${c}` : n)).join(', ');
}
