// Raw console lines for binary console protocols: Console.lines strips control characters
// (SMP's 0x06 0x09 markers among them), so protocols read the raw bytes and split them here.
import type { Console } from '../console/console.ts';

/** Calls `onLine` with each raw received line (latin1, without CR/LF); returns the unsubscribe. */
export function rawLines(console: Console, onLine: (line: string) => void): () => void {
  let partial = '';
  return console.tap((chunk) => {
    const parts = (partial + chunk.toString('latin1')).split('\n');
    partial = parts.pop()!;
    if (partial.length > 1 << 20) partial = '';
    for (const p of parts) onLine(p.replace(/\r$/, ''));
  });
}
