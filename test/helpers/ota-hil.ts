// `ota-hil ARGS` in this process: main() with its words captured (harness/cli/io.ts), so a test sees
// the output and exit code a user would without a process per call (each cost ~1.2 s of CPU:
// tsx, TypeBox and the harness loaded again). `env` is set for the call only. What needs a process
// of its own (the bin itself, standard input, Ctrl-C) is tested by spawning bin/ota-hil.mjs.
// What stays in the process: modules, as imported once (a --kinds file too: write a new file
// rather than edit one between calls); its kinds are forgotten after each call (runCli, rig.ts).
import assert from 'node:assert/strict';
import { main } from '../../harness/cli/main.ts';
import { powerKinds } from '../../harness/power/registry.ts';
import { transportKinds } from '../../harness/ota/registry.ts';
import { installKinds } from '../../harness/install/registry.ts';
import { commitKinds } from '../../harness/commit/registry.ts';

export interface CliRun {
  status: number;
  out: string;
  err: string;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2'] as const;
const kinds = () => [powerKinds, transportKinds, installKinds, commitKinds].flatMap((r) => r.kinds.map((k) => `${r.category} ${k.kind}`));

export async function otaHil(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const listeners = SIGNALS.map((s) => process.listenerCount(s));
  const exitCode = process.exitCode;
  const known = kinds();
  const cwd = process.cwd();
  setEnv(env);
  try {
    const status = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
    return { status, out, err };
  } finally {
    setEnv(saved);
    // The next call (or test file, in a shared process) finds the process as this one did.
    assert.deepEqual(SIGNALS.map((s) => process.listenerCount(s)), listeners, `ota-hil ${args.join(' ')} left signal handlers behind`);
    assert.equal(process.exitCode, exitCode, `ota-hil ${args.join(' ')} set process.exitCode`);
    assert.deepEqual(kinds(), known, `ota-hil ${args.join(' ')} left its --kinds registered`);
    assert.equal(process.cwd(), cwd, `ota-hil ${args.join(' ')} changed the working directory`);
  }
}

function setEnv(env: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
