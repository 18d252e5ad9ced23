// A small simulated MCUboot rig for the fault tests: 32 KiB slots and small images, so a whole
// update is a few hundred flash operations and a full sweep takes seconds.
import { validateRig, type Rig } from '../../harness/rig/load.ts';
import { Board } from '../../harness/fixtures/board.ts';
import type { BoardConfig } from '../../harness/rig/schema.ts';

let boards = 0;

export function smallRig(opts: { mutant?: string; timeScale?: number; candidateSize?: number } = {}): Rig {
  const name = `faults-${process.pid}-${++boards}`;
  const board: BoardConfig = {
    name,
    stack: 'mcuboot',
    console: { port: { sim: true } },
    power: { kind: 'sim' },
    transport: { kind: 'http-pull', trigger: { consoleCommand: 'ota {url}' } },
    install: { kind: 'sim-flash' },
    commit: { kind: 'console-command', command: 'mcuboot confirm', expect: 'Image (already )?confirmed' },
    sim: { swap: 'scratch', slotSize: 32768, sectorSize: 4096, writeSize: 8, timeScale: opts.timeScale ?? 200, ...(opts.mutant ? { mutant: opts.mutant } : {}) },
  };
  return validateRig(
    {
      name: 'faults',
      images: {
        baseline: { version: '1.0.0', sim: { boot: 'ok', confirm: 'self', size: 4000 } },
        candidate: { version: '1.1.0', sim: { boot: 'ok', confirm: 'wait', size: opts.candidateSize ?? 6000 } },
      },
      boards: [board],
    },
    `<faults test rig ${name}>`,
  );
}

/** Open the rig's board, run `fn`, always close. */
export async function withBoard<T>(rig: Rig, fn: (board: Board) => Promise<T>): Promise<T> {
  const board = await Board.open(rig, rig.boards[0]!);
  try {
    return await fn(board);
  } finally {
    await board.close();
  }
}
