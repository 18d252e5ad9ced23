// Wall time of the default suite: `npx playwright test` on the default rig (every scenario, every
// simulated board, sweeps included), reports to a temporary directory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { figure } from './stats.ts';

export function benchSuite(): void {
  const out = mkdtempSync(path.join(tmpdir(), 'ota-hil-bench-suite-'));
  const t0 = performance.now();
  const r = spawnSync('npx', ['playwright', 'test', '--reporter=json'], {
    encoding: 'utf8',
    env: { ...process.env, OTA_HIL_REPORTS: out, CI: '' },
    maxBuffer: 256 * 1024 * 1024,
  });
  const secs = (performance.now() - t0) / 1000;
  let counts = `exit ${r.status}`;
  try {
    const s = (JSON.parse(r.stdout) as { stats: { expected: number; unexpected: number; skipped: number; flaky: number } }).stats;
    counts = `${s.expected} passed, ${s.unexpected} failed, ${s.flaky} flaky, ${s.skipped} skipped`;
  } catch {
    // no JSON: the exit status says enough
  }
  figure('default suite wall time', `${secs.toFixed(0)} s (${counts})`);
}
