// A pseudo-terminal pair from socat: the harness opens one end with serialport, the test plays
// the device on the other. Skips (with a message) when socat is not installed.
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

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
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-pty-'));
  const harness = path.join(dir, 'harness');
  const device = path.join(dir, 'device');
  const proc: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${harness}`, `pty,raw,echo=0,link=${device}`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(existsSync(harness) && existsSync(device)); i++) await new Promise((r) => setTimeout(r, 20));
  if (!existsSync(harness)) throw new Error('socat did not create the pseudo-terminal pair');
  return { harness, device, close: () => proc.kill() };
}
