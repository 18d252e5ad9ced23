// Whatever happens to the harness (Ctrl-C, a CI job cancelled with SIGTERM, an uncaught error),
// the boards must not be left powered mid-update or switched in an unknown way: each registered
// board is put in the rig's safe state exactly once, then the process exits as it would have.
// One set of process handlers serves every board of the process, so a signal waits for all of
// them before it exits. Inside a Playwright worker the runner's own teardown (Board.close) does
// this instead: the worker ignores signals and closes its fixtures when the runner stops.
import { isSyncPowerSwitch, type PowerSwitch } from './power-switch.ts';
import { withTimeout } from './timeout.ts';

export type SafeState = 'on' | 'off';

export interface SafeStateOptions {
  /** Per board; a hung relay must not keep a cancelled job alive. */
  timeoutMs?: number;
  /** Where problems are reported; default stderr. */
  log?: (line: string) => void;
}

export interface SafeStateHandle {
  /** Puts these boards in the safe state now (at most once per board) and resolves when done. */
  apply(): Promise<void>;
  /** Forgets these boards; the process handlers go when no board is left (tests, a clean close). */
  uninstall(): void;
}

interface Guarded {
  board: string;
  sw: PowerSwitch;
  state: SafeState;
  ms: number;
  log: (line: string) => void;
  /** Set before the first switching starts: a second trigger must not switch it again. */
  switching?: Promise<void>;
}

/** 128 + signal number, as a shell reports a process killed by the signal. */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

const guarded = new Set<Guarded>();

function switchAsync(g: Guarded): Promise<void> {
  g.switching ??= withTimeout(g.state === 'on' ? g.sw.on() : g.sw.off(), g.ms, `board ${g.board}: safe state ${g.state}`).catch((e: Error) =>
    g.log(`safe state: ${e.message}`),
  );
  return g.switching;
}

const applyAll = (): Promise<void> => Promise.all([...guarded].map(switchAsync)).then(() => undefined);

// 'exit' runs no more asynchronous code: only switches with a synchronous path get there.
function onExit(): void {
  for (const g of guarded) {
    if (g.switching) continue;
    g.switching = Promise.resolve();
    if (!isSyncPowerSwitch(g.sw)) {
      g.log(`safe state: board ${g.board} (${g.sw.description}) could not be switched ${g.state} at exit; it may still be powered`);
      continue;
    }
    try {
      g.sw.setSync(g.state);
    } catch (e) {
      g.log(`safe state: ${(e as Error).message}`);
    }
  }
}

// The event loop emptied: there is still time for asynchronous drivers.
function onBeforeExit(): void {
  if ([...guarded].some((g) => !g.switching)) void applyAll();
}

let signalled = false;
function onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  const code = SIGNAL_EXIT[signal];
  if (signalled) process.exit(code); // a second Ctrl-C: the operator will not wait
  signalled = true;
  void applyAll().finally(() => process.exit(code));
}
const onSigint = () => onSignal('SIGINT');
const onSigterm = () => onSignal('SIGTERM');

function listen(on: boolean): void {
  if (on) {
    // First among the exit handlers: a board lock freed by its own exit handler must not let
    // another run take a board that is still switching.
    process.prependListener('exit', onExit);
    process.on('beforeExit', onBeforeExit);
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
  } else {
    process.off('exit', onExit);
    process.off('beforeExit', onBeforeExit);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

export function installSafeStateHandlers(
  switches: Map<string, PowerSwitch> | Iterable<readonly [string, PowerSwitch]>,
  safeState: SafeState = 'off',
  opts: SafeStateOptions = {},
): SafeStateHandle {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const mine = [...new Map(switches)].map(([board, sw]): Guarded => ({ board, sw, state: safeState, ms: opts.timeoutMs ?? 10_000, log }));
  if (guarded.size === 0 && mine.length > 0) listen(true);
  for (const g of mine) guarded.add(g);
  return {
    apply: () => Promise.all(mine.map(switchAsync)).then(() => undefined),
    uninstall() {
      const had = guarded.size > 0;
      for (const g of mine) guarded.delete(g);
      if (had && guarded.size === 0) listen(false);
    },
  };
}

/** Whether this process is a Playwright test worker, whose fixture teardown leaves the safe state. */
export const inPlaywrightWorker = (): boolean => process.env.TEST_WORKER_INDEX !== undefined;

/**
 * In the Playwright runner: SIGTERM (a cancelled CI job) stops the run the way Ctrl-C does, so the
 * test in flight is reported as interrupted and every board's teardown puts it in its safe state
 * (the workers ignore both signals and wait for the runner). Without it the runner dies at once
 * and its workers tear down unreported. A second SIGTERM ends it for good.
 */
export function sigtermStopsRunner(): void {
  // Workers (and any other Playwright child) talk to their parent over IPC; the runner does not.
  if (process.send || inPlaywrightWorker()) return;
  // Armed once per process, however many configs call it: a second handler would take the second SIGTERM.
  if (!process.listeners('SIGTERM').includes(stopRunner)) process.once('SIGTERM', stopRunner);
}

function stopRunner(): void {
  process.exitCode = SIGNAL_EXIT.SIGTERM;
  process.emit('SIGINT', 'SIGINT');
}
