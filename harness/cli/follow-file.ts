// `tail -f` for a board's live log: prints from the start of the test running now (the last session
// mark), then every line appended, until Ctrl-C (or `signal`). A file not there yet is waited for; a
// file that shrinks (a new run started over) is read again from its start. Only reads.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isSessionStart } from '../report/live-log.ts';

export interface FollowOptions {
  out: (text: string) => void;
  /** Messages about the following itself (waiting, restarted), not log lines. */
  note: (text: string) => void;
  pollMs?: number;
  /** Stops following (tests); SIGINT and SIGTERM always do. */
  signal?: AbortSignal;
}

export async function followFile(file: string, opts: FollowOptions): Promise<void> {
  let pos = -1;
  let partial = '';
  let waiting = false;
  const emit = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    if (lines.length) opts.out(lines.join('\n') + '\n');
  };
  const poll = () => {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      if (!waiting) opts.note(`waiting for ${file} (written while a run uses the board)`);
      waiting = true;
      // Removed (a new run clears the live logs): the next file is read from its start.
      if (pos > 0) pos = 0;
      partial = '';
      return;
    }
    waiting = false;
    if (pos < 0) {
      pos = size;
      emit(fromLastSession(read(file, 0, size)));
      return;
    }
    if (size < pos) {
      opts.note(`${file} started over (a new run)`);
      pos = 0;
      partial = '';
    }
    if (size > pos) {
      emit(read(file, pos, size));
      pos = size;
    }
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(poll, opts.pollMs ?? 100);
    const stop = () => {
      clearInterval(timer);
      poll();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      opts.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (opts.signal?.aborted) stop();
    else opts.signal?.addEventListener('abort', stop);
    poll();
  });
}

/** From the last test's start: what the board is doing now, not the whole run. */
function fromLastSession(all: string): string {
  const lines = all.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) if (isSessionStart(lines[i]!)) return lines.slice(i).join('\n');
  return all;
}

function read(file: string, from: number, to: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
