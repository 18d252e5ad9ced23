// Runs an external power tool with an argument array (never a shell string), with a timeout, and
// turns "not installed", "timed out" and "exited non-zero" into PowerErrors naming the board.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PowerError } from './power-switch.ts';
import { withTimeout } from './timeout.ts';

export interface ToolSpec {
  board: string;
  driver: string;
  /** Program name or path. */
  tool: string;
  /** Debian package that ships `tool`; named in the "not installed" error. */
  debianPackage?: string;
  /** Searched when `tool` is not on PATH (uhubctl lives in /usr/sbin, often not on a user's PATH). */
  fallbackDirs?: string[];
  timeoutMs: number;
}

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What one run came to. */
interface RawResult {
  /** A spawn failure: ENOENT, EACCES. */
  code?: string;
  message?: string;
  timedOut?: boolean;
  exitCode?: number;
  signal?: string;
  stdout: string;
  stderr: string;
}

/** Runs the tool; a non-zero exit is an error unless `allowFailure`. */
export async function runTool(spec: ToolSpec, args: string[], opts: { allowFailure?: boolean } = {}): Promise<ToolResult> {
  const what = `${spec.tool} ${args.join(' ')}`;
  // The run's own timeout kills the child; withTimeout is the backstop if even that hangs.
  const run = (file: string) => withTimeout(spawnTool(file, args, spec.timeoutMs), spec.timeoutMs + 2000, what);
  let r: RawResult;
  try {
    r = await run(spec.tool);
    const alt = r.code === 'ENOENT' ? fallback(spec) : undefined;
    if (alt) r = await run(alt);
  } catch (e) {
    throw new PowerError(spec.board, spec.driver, (e as Error).message, { cause: e });
  }
  return check(spec, what, r, opts.allowFailure ?? false);
}

/** Synchronous twin, for the process 'exit' handler only. */
export function runToolSync(spec: ToolSpec, args: string[]): ToolResult {
  const what = `${spec.tool} ${args.join(' ')}`;
  const run = (file: string): RawResult => {
    const r = spawnSync(file, args, { timeout: spec.timeoutMs, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    const err: NodeJS.ErrnoException | undefined = r.error;
    const out = { stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    if (err?.code === 'ETIMEDOUT') return { timedOut: true, ...out };
    return { code: err?.code, message: err?.message, exitCode: r.status ?? undefined, signal: r.signal ?? undefined, ...out };
  };
  let r = run(spec.tool);
  const alt = r.code === 'ENOENT' ? fallback(spec) : undefined;
  if (alt) r = run(alt);
  return check(spec, what, r, false);
}

/**
 * One run with node's own child_process (nothing to load when a signal handler switches power
 * off): stdin closed, output collected, SIGTERM at the timeout and SIGKILL 2 s later.
 */
function spawnTool(file: string, args: string[], timeoutMs: number): Promise<RawResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill();
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: e.code, message: e.message, stdout, stderr });
    });
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ timedOut, exitCode: status ?? undefined, signal: signal ?? undefined, stdout, stderr });
    });
  });
}

function fallback(spec: ToolSpec): string | undefined {
  if (spec.tool.includes('/')) return undefined;
  return (spec.fallbackDirs ?? []).map((d) => path.join(d, spec.tool)).find((p) => existsSync(p));
}

function check(spec: ToolSpec, what: string, r: RawResult, allowFailure: boolean): ToolResult {
  const { stdout, stderr } = r;
  if (r.code === 'ENOENT') {
    const install = spec.debianPackage
      ? `; install the Debian package ${spec.debianPackage} (apt-get install -y ${spec.debianPackage})`
      : '';
    throw new PowerError(spec.board, spec.driver, `${spec.tool} is not installed (not found on PATH)${install}`);
  }
  if (r.code === 'EACCES') throw new PowerError(spec.board, spec.driver, `${spec.tool} is not executable (EACCES)`);
  if (r.timedOut) throw new PowerError(spec.board, spec.driver, `${what} timed out after ${spec.timeoutMs} ms`);
  if (r.exitCode === undefined) {
    throw new PowerError(spec.board, spec.driver, `${what} did not run: ${r.message ?? r.signal ?? 'unknown failure'}`);
  }
  if (r.exitCode !== 0 && !allowFailure) {
    throw new PowerError(spec.board, spec.driver, `${what} exited with ${r.exitCode}: ${tail(stderr || stdout)}`);
  }
  return { stdout, stderr, exitCode: r.exitCode };
}

/** The last few lines of tool output, enough to see why it failed without flooding the log. */
export function tail(text: string, lines = 6): string {
  const t = text.trim().split(/\r?\n/).filter((l) => l.trim() !== '');
  return t.length ? t.slice(-lines).join(' | ') : '(no output)';
}
