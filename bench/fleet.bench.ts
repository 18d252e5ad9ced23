// 100 simulated boards in one rollout (rigs/sim.json's simulated boards in turn), in a child process of
// its own so its peak memory is its own: open, install the baseline, roll the candidate out to all
// at once, until every board runs it committed. Figures: fleet_100_s (wall, the whole run),
// fleet_100_peak_mb (peak RSS), and the rollout's own time to converge.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Figures } from './stats.ts';
import { figure } from './stats.ts';

interface Result {
  boards: number;
  openS: number;
  installS: number;
  rolloutS: number;
  wallS: number;
  peakMb: number;
  onCandidate: number;
  bricked: number;
}

async function child(count: number): Promise<Result> {
  const { loadRig } = await import('../harness/rig/load.ts');
  const { Fleet } = await import('../harness/fleet/fleet.ts');
  const { summarize } = await import('../harness/fleet/verdict.ts');
  const t0 = performance.now();
  const rig = loadRig('rigs/sim.json');
  const sims = rig.boards.filter((b) => b.sim);
  // The rig's simulated boards in turn until there are `count`: mcuboot-1.1, esp-idf-1.1, …
  const boards = Array.from({ length: count }, (_, i) => ({ ...sims[i % sims.length]!, name: `${sims[i % sims.length]!.name}.${Math.floor(i / sims.length) + 1}` }));
  const fleet = await Fleet.open({ ...rig, boards }, { concurrency: 16 });
  const t1 = performance.now();
  try {
    await fleet.install('baseline');
    const t2 = performance.now();
    const rollout = fleet.rollout({ mode: 'immediate' });
    await rollout.until((r) => r.state === 'committed' || r.bricked, 600_000, 'every board to commit');
    const t3 = performance.now();
    const s = summarize(rollout);
    return { boards: fleet.boards.length, openS: (t1 - t0) / 1000, installS: (t2 - t1) / 1000, rolloutS: (t3 - t2) / 1000, wallS: (t3 - t0) / 1000, peakMb: process.resourceUsage().maxRSS / 1024, onCandidate: s.onCandidate, bricked: s.bricked };
  } finally {
    await fleet.close();
  }
}

export function benchFleet(out: Figures): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '100'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 900_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`fleet bench child failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  const f = JSON.parse(line) as Result;
  Object.assign(out, { fleet_100_s: Number(f.wallS.toFixed(1)), fleet_100_peak_mb: Math.round(f.peakMb) });
  figure(`${f.boards} boards, one rollout`, `${f.wallS.toFixed(1)} s wall (open ${f.openS.toFixed(1)}, install ${f.installS.toFixed(1)}, rollout ${f.rolloutS.toFixed(1)}), peak ${Math.round(f.peakMb)} MB`);
  figure('on candidate / bricked', `${f.onCandidate}/${f.boards}, ${f.bricked} bricked`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const res = await child(Number(process.argv[2] ?? 100));
  process.stdout.write(`${JSON.stringify(res)}\n`);
  process.exit(0);
}
