// Harness overhead per scenario beyond the device's own time. The clean-update scenario (install
// the baseline, deliver and commit the candidate, two more power cycles) runs three ways on the
// default rig's MCUboot board: bare (a SimDevice with a line splitter and a tiny HTTP server: the
// device's own time at its timeScale), through the harness Board in-process (serialport console,
// boot-log parser, transport, power switch), and as the Playwright scenario (fixtures, Allure
// steps, attachments, timeline). Medians of a few runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRig } from '../harness/rig/load.ts';
import { Board as HarnessBoard } from '../harness/fixtures/board.ts';
import { Board as BareBoard, serve, cleanup } from '../test/sim/mcuboot-helpers.ts';
import { figure, ms, summary } from './stats.ts';

const RUNS = 3;

async function bare(): Promise<number> {
  const rig = loadRig('rigs/sim.json');
  const cfg = rig.boards.find((b) => b.stack === 'mcuboot')!;
  const b = new BareBoard(cfg.sim);
  const spec = (name: string) => ({ version: rig.images[name]!.version, ...rig.images[name]!.sim });
  const t0 = performance.now();
  b.install(spec('baseline'));
  const server = await serve(b.image(spec('candidate')));
  b.device.powerOn();
  await b.waitFor(/Firmware version 1\.0\.0/);
  let m = b.mark();
  b.send(`ota ${server.url}`);
  await b.waitFor(/Firmware version 1\.1\.0/, m, 30_000);
  m = b.mark();
  b.send('mcuboot confirm');
  await b.waitFor(/Image (already )?confirmed/, m);
  for (let i = 0; i < 2; i++) {
    await b.powerOff();
    m = b.mark();
    b.device.powerOn();
    await b.waitFor(/Firmware version 1\.1\.0/, m);
  }
  const t = performance.now() - t0;
  await cleanup();
  return t;
}

async function harness(): Promise<number> {
  const rig = loadRig('rigs/sim.json');
  const cfg = rig.boards.find((b) => b.stack === 'mcuboot')!;
  const t0 = performance.now();
  const board = await HarnessBoard.open(rig, cfg);
  try {
    await board.install(board.images.baseline!);
    await board.ota.run(board.images.candidate!, { commit: 'confirm' });
    await board.boots.next();
    for (let i = 0; i < 2; i++) {
      await board.power.cycle();
      await board.boots.next();
    }
  } finally {
    await board.close();
  }
  return performance.now() - t0;
}

function playwright(): number {
  const out = mkdtempSync(path.join(tmpdir(), 'ota-hil-bench-'));
  const r = spawnSync('npx', ['playwright', 'test', 'scenarios/clean-update.spec.ts', '--project', 'sim/mcuboot-1', '--reporter=json', `--repeat-each=${RUNS}`], {
    encoding: 'utf8',
    env: { ...process.env, OTA_HIL_REPORTS: out, CI: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = JSON.parse(r.stdout) as { suites: { specs: { tests: { results: { duration: number }[] }[] }[] }[] };
  const durations = report.suites.flatMap((s) => s.specs.flatMap((sp) => sp.tests.flatMap((t) => t.results.map((x) => x.duration))));
  return summary(durations).p50;
}

export async function benchOverhead(): Promise<void> {
  const b: number[] = [];
  const h: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    b.push(await bare());
    h.push(await harness());
  }
  const device = summary(b).p50;
  const board = summary(h).p50;
  const pw = playwright();
  figure('clean update, bare device (its own time)', ms(device));
  figure('  through the harness Board', `${ms(board)} (+${ms(board - device)}, incl. 2 × 50 ms off in the power cycles)`);
  figure('  as a Playwright scenario (fixtures, report)', `${ms(pw)} (+${ms(pw - device)} over the device)`);
}
