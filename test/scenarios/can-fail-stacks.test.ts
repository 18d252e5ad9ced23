// Every simulated stack, not only MCUboot and Mongoose OS: one seeded bug per stack, run through
// the Playwright scenario a user would run, must fail that scenario with a message saying what
// the board did. (The correct boards pass the same scenarios in `npm run scenarios`; the full
// matrix of every mutant against the whole suite is `npm run mutants`.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { playwrightTest, resultOf, simRig } from '../helpers/playwright-run.ts';

const CASES = [
  { board: 'esp-idf-1', mutant: 'no-image-verify', spec: 'corrupt-image', says: /esp-idf refuses a corrupt image without a reboot[\s\S]*"1\.0\.0 from factory \(event rollback\)"/ },
  { board: 'esp8266-1', mutant: 'no-signature-check', spec: 'corrupt-image', says: /esp8266-arduino refuses a corrupt image without a reboot[\s\S]*"nothing \(event brick\)"/ },
  { board: 'zerynth-1', mutant: 'accept-without-connect', spec: 'zerynth-device-manager', says: /accepted while the device manager was blocked[\s\S]*Received: "zfota: accepted"/ },
  { board: 'particle-1', mutant: 'updates-not-deferred', spec: 'particle-deferred-update', says: /no reboot while updates are disabled[\s\S]*"1\.1\.0 \(\w+\) at console line \d+"/ },
];

test('a seeded bug in each of esp-idf, esp8266-arduino, zerynth and particle fails its scenario, saying what booted', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-can-fail-stacks-'));
  // One run with every mutated board, each its own Playwright project running only its own
  // scenario: four tests, each failing in a worker of its own.
  const rigs = CASES.map((c) => simRig(dir, { board: c.board, mutant: c.mutant }));
  const grep = CASES.map((c) => `sim/${c.board} scenarios/${c.spec}\\.spec\\.ts `).join('|');
  // (the spec files too: Playwright then loads only those to match -g against)
  const specs = [...new Set(CASES.map((c) => `scenarios/${c.spec}.spec.ts`))];
  const run = playwrightTest(['--workers', '2', '-g', grep, ...specs], { dir, rigs, timeoutMs: 300_000 });
  assert.notEqual(run.status, 0, run.out);
  assert.equal(run.results.length, CASES.length, run.out);
  for (const c of CASES) {
    const r = resultOf(run, `sim/${c.board}`, '');
    assert.equal(r.file, `scenarios/${c.spec}.spec.ts`);
    assert.equal(r.status, 'unexpected', `${c.board} ${c.mutant}: ${c.spec} did not fail:\n${run.out}`);
    assert.match(r.error, c.says, `${c.board} ${c.mutant}`);
    assert.ok(run.out.includes(r.error.split('\n')[0]!), 'the line reporter printed the failure');
  }
});
