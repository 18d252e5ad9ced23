// Playwright run as a user runs it (its CLI, the project's config, the rigs in OTA_HIL_RIG), for
// the tests that check what a scenario run says. One run serves several assertions: the JSON
// reporter tells each test's project, status and error apart, so boards with different seeded
// bugs share a run (and its ~2 s start-up per process) and `-g` pairs each project with its spec
// (Playwright matches it against "project file describe title tags").
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'node_modules/@playwright/test/cli.js');

export interface Result {
  project: string;
  /** The spec file, relative to the repository. */
  file: string;
  title: string;
  /** Playwright's verdict: expected, unexpected, flaky or skipped. */
  status: string;
  /** The failure messages, as the reporters print them (colours removed). */
  error: string;
}

export interface Run {
  status: number | null;
  /** What the line reporter printed (stdout and stderr). */
  out: string;
  /** Every test of the run, from the JSON reporter; empty when the run never started. */
  results: Result[];
}

interface Suite {
  file?: string;
  suites?: Suite[];
  specs?: { title: string; file: string; tests: { projectName: string; status: string; results: { errors?: { message?: string }[] }[] }[] }[];
}

function collect(s: Suite): Result[] {
  const own = (s.specs ?? []).flatMap((sp) =>
    sp.tests.map((t) => ({
      project: t.projectName,
      file: sp.file,
      title: sp.title,
      status: t.status,
      error: stripVTControlCharacters(t.results.flatMap((r) => r.errors ?? []).map((e) => e.message ?? '').join('\n')),
    })),
  );
  return [...own, ...(s.suites ?? []).flatMap(collect)];
}

export interface RunOptions {
  /** Folder for the reports (OTA_HIL_REPORTS) and the JSON report. */
  dir: string;
  /** Rig files (OTA_HIL_RIG). */
  rigs: string[];
  /** More environment. */
  env?: NodeJS.ProcessEnv;
  /** Reporters line and json instead of the config's (list and Allure); default true. */
  json?: boolean;
  timeoutMs?: number;
}

function command(args: string[], o: RunOptions): { argv: string[]; env: NodeJS.ProcessEnv; json: string } {
  const json = path.join(o.dir, `results-${Math.random().toString(36).slice(2)}.json`);
  const reporter = o.json === false ? [] : ['--reporter=line,json'];
  return {
    argv: [CLI, 'test', ...reporter, ...args],
    // CI='' so the config's worker count is the machine's, as on a developer's desk.
    env: { ...process.env, OTA_HIL_RIG: o.rigs.join(','), OTA_HIL_REPORTS: path.join(o.dir, 'reports'), PLAYWRIGHT_JSON_OUTPUT_FILE: json, CI: '', ...o.env },
    json,
  };
}

function results(json: string): Result[] {
  try {
    return collect(JSON.parse(readFileSync(json, 'utf8')) as Suite);
  } catch {
    return []; // no report: a run that never started (its output says why)
  }
}

/** `playwright test ...args` in the repository, waited for. */
export function playwrightTest(args: string[], o: RunOptions): Run {
  const c = command(args, o);
  const r = spawnSync(process.execPath, c.argv, { cwd: ROOT, encoding: 'utf8', env: c.env, timeout: o.timeoutMs ?? 180_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, results: results(c.json) };
}

/** The same, without blocking: runs side by side, as on two rig hosts. */
export function playwrightTestAsync(args: string[], o: RunOptions): Promise<Run> {
  const c = command(args, o);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, c.argv, { cwd: ROOT, env: c.env, timeout: o.timeoutMs ?? 180_000 });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (status) => resolve({ status, out, results: results(c.json) }));
  });
}

/** The result of `title` (a substring) on `project`; fails naming what the run holds. */
export function resultOf(run: Run, project: string, title: string): Result {
  const r = run.results.filter((x) => x.project === project && x.title.includes(title));
  if (r.length !== 1) throw new Error(`${r.length} results of "${title}" on ${project}; the run holds ${run.results.map((x) => `${x.project} › ${x.title}`).join(', ') || 'none'}:\n${run.out}`);
  return r[0]!;
}

export interface SimBoard {
  /** The board of rigs/sim.json. */
  board: string;
  /** The rig's name, so its project is `${rig}/${name}` (default "sim"). */
  rig?: string;
  /** The board's name in the copy (default its own). */
  name?: string;
  /** A seeded bug of the board's simulator. */
  mutant?: string;
}

/** A rig file in `dir`: rigs/sim.json with only this board. */
export function simRig(dir: string, b: SimBoard): string {
  const rig = JSON.parse(readFileSync(path.join(ROOT, 'rigs/sim.json'), 'utf8')) as { name: string; $schema?: string; boards: { name: string; sim?: object }[] };
  const board = rig.boards.find((x) => x.name === b.board);
  if (!board) throw new Error(`rigs/sim.json has no board ${b.board}`);
  delete rig.$schema;
  rig.name = b.rig ?? rig.name;
  rig.boards = [{ ...board, name: b.name ?? board.name, ...(b.mutant ? { sim: { ...board.sim, mutant: b.mutant } } : {}) }];
  const file = path.join(dir, `rig-${rig.name}-${rig.boards[0]!.name}.json`);
  writeFileSync(file, JSON.stringify(rig, null, 2));
  return file;
}
