// Long-lived helper processes (socat playing a USB-serial adapter) that cannot outlive the harness.
// Node has no prctl(PR_SET_PDEATHSIG), and a SIGKILLed harness runs no exit handler. So each one
// runs under a small shell that holds the read end of a pipe from us: when our end closes (we
// exit, are killed, or stop it on purpose) the shell sees EOF and ends the program.
import { spawn, type ChildProcess } from 'node:child_process';

// $0 is the program; fd 3 keeps the pipe for the watcher only. A TERM to the shell ends the
// program too, and the shell exits with the program's status once it is gone.
const WRAPPER = [
  'exec 3<&0 </dev/null',
  '"$0" "$@" 3<&- &',
  'p=$!',
  'trap \'kill -TERM "$p" 2>/dev/null\' TERM INT HUP',
  '( read -r _ || true; kill -TERM "$p" 2>/dev/null ) <&3 &',
  'w=$!',
  'exec 3<&-',
  'while :; do wait "$p"; rc=$?; kill -0 "$p" 2>/dev/null || break; done',
  'kill "$w" 2>/dev/null',
  'exit "$rc"',
].join('\n');

/** Spawn `cmd args` so that it ends when this process does, however it ends. stdin is ours. */
export function spawnTethered(cmd: string, args: string[], stderr: 'pipe' | 'ignore' = 'pipe'): ChildProcess {
  const child = spawn('sh', ['-c', WRAPPER, cmd, ...args], { stdio: ['pipe', 'ignore', stderr] });
  // The pipe is the tether, not a reason to keep the event loop alive.
  child.stdin?.on('error', () => undefined);
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return child;
}

/** End a tethered program: its tether is cut (EOF) and its shell told to stop it. */
export function stopTethered(child: ChildProcess): void {
  child.stdin?.destroy();
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}
