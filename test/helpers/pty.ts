// A pseudo-terminal pair from socat: the harness opens one end with serialport, the test plays
// the device on the other. Skips (with a message) when socat is not installed.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { spawnTethered, stopTethered } from '../../harness/console/tether.ts';
import { ownedTempDir } from '../../harness/fixtures/temp-dirs.ts';

export function hasSocat(): boolean {
  try {
    execFileSync('socat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface PtyPair {
  harness: string;
  device: string;
  close(): void;
}

export async function ptyPair(): Promise<PtyPair> {
  const dir = ownedTempDir('pty', 'test');
  const harness = path.join(dir, 'harness');
  const device = path.join(dir, 'device');
  const proc = spawnTethered('socat', [`pty,raw,echo=0,link=${harness}`, `pty,raw,echo=0,link=${device}`], 'ignore');
  // A guard (a loaded host can take seconds to start socat), not the 2 s it was.
  const deadline = performance.now() + 30_000;
  while (!(existsSync(harness) && existsSync(device)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (!(existsSync(harness) && existsSync(device))) throw new Error('socat did not create the pseudo-terminal pair within 30 s');
  return {
    harness,
    device,
    close: () => {
      stopTethered(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
