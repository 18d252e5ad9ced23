// A run with a real (non-simulated) board open, as a separate process: Board.open takes the
// board's lock; the parent kills this process with SIGKILL mid-"scenario".
import { loadRig } from '../../harness/rig/load.ts';
import { Board } from '../../harness/fixtures/board.ts';

const rig = loadRig(process.argv[2]!);
const board = await Board.open(rig, rig.boards[0]!);
process.stdout.write(`opened ${process.pid} ${board.console.path ?? '-'}\n`);
setInterval(() => undefined, 1000);
