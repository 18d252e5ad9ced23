// Runs an external power tool with an argument array (never a shell string), with a timeout, and
// turns "not installed", "timed out" and "exited non-zero" into PowerErrors naming the board.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa, execaSync } from 'execa';
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

interface RawResult {
  failed: boolean;
  code?: string;
  timedOut?: boolean;
  exitCode?: number;
  signal?: string;
  stdout?: string;
  stderr?: string;
  shortMessage?: string;
}

/** Runs the tool; a non-zero exit is an error unless `allowFailure`. */
export async function runTool(spec: ToolSpec, args: string[], opts: { allowFailure?: boolean } = {}): Promise<ToolResult> {
  const what = `${spec.tool} ${args.join(' ')}`;
  const run = (file: string) =>
    withTimeout(
      // execa's own timeout kills the child; withTimeout is the backstop if even that hangs.
      execa(file, args, { reject: false, timeout: spec.timeoutMs, stdin: 'ignore', stripFinalNewline: false }) as Promise<RawResult>,
      spec.timeoutMs + 2000,
      what,
    );
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
  const run = (file: string) =>
    execaSync(file, args, { reject: false, timeout: spec.timeoutMs, stdin: 'ignore', stripFinalNewline: false }) as RawResult;
  let r = run(spec.tool);
  const alt = r.code === 'ENOENT' ? fallback(spec) : undefined;
  if (alt) r = run(alt);
  return check(spec, what, r, false);
}

function fallback(spec: ToolSpec): string | undefined {
  if (spec.tool.includes('/')) return undefined;
  return (spec.fallbackDirs ?? []).map((d) => path.join(d, spec.tool)).find((p) => existsSync(p));
}

function check(spec: ToolSpec, what: string, r: RawResult, allowFailure: boolean): ToolResult {
  const stdout = r.stdout ?? '';
  const stderr = r.stderr ?? '';
  if (r.code === 'ENOENT') {
    const install = spec.debianPackage
      ? `; install the Debian package ${spec.debianPackage} (apt-get install -y ${spec.debianPackage})`
      : '';
    throw new PowerError(spec.board, spec.driver, `${spec.tool} is not installed (not found on PATH)${install}`);
  }
  if (r.code === 'EACCES') throw new PowerError(spec.board, spec.driver, `${spec.tool} is not executable (EACCES)`);
  if (r.timedOut) throw new PowerError(spec.board, spec.driver, `${what} timed out after ${spec.timeoutMs} ms`);
  if (r.exitCode === undefined) {
    throw new PowerError(spec.board, spec.driver, `${what} did not run: ${r.shortMessage ?? r.signal ?? 'unknown failure'}`);
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
