// Every simulated stack, not only MCUboot and Mongoose OS: one seeded bug per stack, run through
// the Playwright scenario a user would run, must fail that scenario with a message saying what
// the board did. (The correct boards pass the same scenarios in `npm run scenarios`; the full
// matrix of every mutant against the whole suite is `npm run mutants`.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mutantRig } from '../../harness/faults/mutant-matrix.ts';

const CASES = [
  { board: 'esp-idf-1', mutant: 'no-image-verify', spec: 'corrupt-image', says: /esp-idf refuses a corrupt image without a reboot[\s\S]*"1\.0\.0 from factory \(event rollback\)"/ },
  { board: 'esp8266-1', mutant: 'no-signature-check', spec: 'corrupt-image', says: /esp8266-arduino refuses a corrupt image without a reboot[\s\S]*"nothing \(event brick\)"/ },
  { board: 'zerynth-1', mutant: 'accept-without-connect', spec: 'zerynth-device-manager', says: /accepted while the device manager was blocked[\s\S]*Received: "zfota: accepted"/ },
  { board: 'particle-1', mutant: 'updates-not-deferred', spec: 'particle-deferred-update', says: /particle-1: no line matching \/firmware_update_pending\/[\s\S]*app: version 1\.1\.0/ },
];

test('a seeded bug in each of esp-idf, esp8266-arduino, zerynth and particle fails its scenario, saying what booted', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-can-fail-stacks-'));
  for (const c of CASES) {
    // One run with every mutated board: each is its own Playwright project.
    const rig = path.join(dir, `${c.board}.json`);
    mutantRig('rigs/sim.json', c.board, c.mutant, rig);
  }
  const rigs = CASES.map((c) => path.join(dir, `${c.board}.json`)).join(',');
  const specs = [...new Set(CASES.map((c) => `scenarios/${c.spec}.spec.ts`))];
  const r = spawnSync('npx', ['playwright', 'test', '--reporter=line', '--workers', '2', ...specs], {
    encoding: 'utf8',
    env: { ...process.env, OTA_HIL_RIG: rigs, OTA_HIL_REPORTS: path.join(dir, 'reports'), CI: '' },
    timeout: 300_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.notEqual(r.status, 0, out);
  // Playwright's summary: "  4 failed" and one indented line per failed test.
  const failed = out.match(/\n  (\d+) failed\n((?: {4}\[.*\n)+)/);
  assert.ok(failed, out);
  assert.equal(Number(failed[1]), CASES.length, out);
  for (const c of CASES) {
    assert.ok(failed[2]!.includes(`[sim/${c.board}] › scenarios/${c.spec}.spec.ts`), `${c.board} ${c.mutant}: ${c.spec} did not fail:\n${out}`);
    assert.match(out, c.says, `${c.board} ${c.mutant}`);
  }
});
