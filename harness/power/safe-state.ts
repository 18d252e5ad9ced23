// Whatever happens to the harness (Ctrl-C, a CI job cancelled with SIGTERM, an uncaught error),
// the boards must not be left powered mid-update or switched in an unknown way: each registered
// board is put in the rig's safe state exactly once, then the process exits as it would have.
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
  /** Puts every board in the safe state now (at most once per board) and resolves when done. */
  apply(): Promise<void>;
  /** Removes the process handlers (tests, or a harness that shuts down by itself). */
  uninstall(): void;
}

/** 128 + signal number, as a shell reports a process killed by the signal. */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

export function installSafeStateHandlers(
  switches: Map<string, PowerSwitch> | Iterable<readonly [string, PowerSwitch]>,
  safeState: SafeState = 'off',
  opts: SafeStateOptions = {},
): SafeStateHandle {
  const boards = new Map(switches);
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const ms = opts.timeoutMs ?? 10_000;
  const done = new Set<string>();
  let running: Promise<void> | null = null;

  const applyAsync = (): Promise<void> => {
    running ??= Promise.allSettled(
      [...boards].map(async ([board, sw]) => {
        if (done.has(board)) return;
        done.add(board); // before the await: a second trigger must not switch it again
        const action = safeState === 'on' ? sw.on() : sw.off();
        await withTimeout(action, ms, `board ${board}: safe state ${safeState}`);
      }),
    ).then((results) => {
      for (const r of results) if (r.status === 'rejected') log(`safe state: ${(r.reason as Error).message}`);
    });
    return running;
  };

  // 'exit' runs no more asynchronous code: only switches with a synchronous path get there.
  const onExit = () => {
    for (const [board, sw] of boards) {
      if (done.has(board)) continue;
      done.add(board);
      if (!isSyncPowerSwitch(sw)) {
        log(`safe state: board ${board} (${sw.description}) could not be switched ${safeState} at exit; it may still be powered`);
        continue;
      }
      try {
        sw.setSync(safeState);
      } catch (e) {
        log(`safe state: ${(e as Error).message}`);
      }
    }
  };

  // The event loop emptied: there is still time for asynchronous drivers.
  const onBeforeExit = () => {
    if (boards.size > done.size) void applyAsync();
  };

  let signalled = false;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    const code = SIGNAL_EXIT[signal];
    if (signalled) process.exit(code); // a second Ctrl-C: the operator will not wait
    signalled = true;
    void applyAsync().finally(() => process.exit(code));
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');

  process.on('exit', onExit);
  process.on('beforeExit', onBeforeExit);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  return {
    apply: applyAsync,
    uninstall() {
      process.off('exit', onExit);
      process.off('beforeExit', onBeforeExit);
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    },
  };
}
