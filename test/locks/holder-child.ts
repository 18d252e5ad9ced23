// A run holding a board, as a separate process: takes the lock, says so on stdout, then holds it
// until killed (SIGKILL: no clean-up at all) or asked to stop (SIGTERM: exits, releasing it).
import { acquireBoardLock } from '../../harness/locks/board-lock.ts';

const [dir, board, leaseMs] = process.argv.slice(2);
const lock = await acquireBoardLock(board!, { dir, leaseMs: Number(leaseMs), what: `holder-child ${board}` });
process.stdout.write(`held ${process.pid} ${lock.file}\n`);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => undefined, 1000);
