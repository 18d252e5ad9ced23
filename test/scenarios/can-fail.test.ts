// The scenarios must be able to fail: run as a user runs them (Playwright CLI) against simulated
// boards built with a seeded bug, one per stack and more for MCUboot and Mongoose OS, each must
// fail its scenario with a message saying what was expected and what booted; the correct boards
// pass the same scenarios in the same run (no false alarm). (`npm run scenarios` runs the correct
// boards through the whole library; `npm run mutants` runs every mutant against all of it.)
// One run serves every case: each board is a project of its own rig, named after its bug, and -g
// gives each project only its scenario. Also: a malformed rig file stops the run with the file
// and field, not a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { playwrightTestAsync, resultOf, simRig, type Run } from '../helpers/playwright-run.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-can-fail-'));

interface Case {
  board: string;
  /** The seeded bug; none: the correct board, which must pass. */
  mutant?: string;
  spec: string;
  /** The scenario's title, or its start. */
  title: string;
  /** What the failure must say; none: the test must pass. */
  says?: RegExp;
}

const SWAP_CUT = 'cut 40 ms into the swap';
const WITHHELD = 'a withheld commit reverts';
const CRASH = 'a candidate that crashes at boot';
const FS_MERGE = 'device config survives an update';
const CASES: Case[] = [
  // MCUboot whose swap does not resume after a cut: it boots the old image, not the resumed swap.
  { board: 'mcuboot-1', mutant: 'swap-not-resumed', spec: 'power-loss-swap', title: SWAP_CUT, says: /expected mcuboot-1 to boot 1\.1\.0 \(event swap-resumed\); it booted (?!1\.1\.0 from primary \(event swap-resumed\))/ },
  { board: 'mcuboot-1', spec: 'power-loss-swap', title: SWAP_CUT },
  // One seeded bug per other stack.
  { board: 'esp-idf-1', mutant: 'no-image-verify', spec: 'corrupt-image', title: 'a corrupt image', says: /esp-idf refuses a corrupt image without a reboot[\s\S]*"1\.0\.0 from factory \(event rollback\)"/ },
  { board: 'esp8266-1', mutant: 'no-signature-check', spec: 'corrupt-image', title: 'a corrupt image', says: /esp8266-arduino refuses a corrupt image without a reboot[\s\S]*"nothing \(event brick\)"/ },
  { board: 'zerynth-1', mutant: 'accept-without-connect', spec: 'zerynth-device-manager', title: 'new firmware waits', says: /accepted while the device manager was blocked[\s\S]*Received: "zfota: accepted"/ },
  { board: 'particle-1', mutant: 'updates-not-deferred', spec: 'particle-deferred-update', title: 'with updates disabled', says: /no reboot while updates are disabled[\s\S]*"1\.1\.0 \(\w+\) at console line \d+"/ },
  // Mongoose OS and rboot.
  { board: 'mongoose-1', mutant: 'no-tombstone', spec: 'withheld-commit', title: WITHHELD, says: /expected mongoose-1 to boot 1\.0\.0 \(event revert\); it booted otahil 1\.1\.0 from app_1 \(event trial\)/ },
  { board: 'rboot-1', mutant: 'attempts-not-persisted', spec: 'withheld-commit', title: WITHHELD, says: /expected rboot-1 to boot 1\.0\.0 \(event revert\); it booted 1\.1\.0 from rom1 \(event trial\)/ },
  { board: 'mongoose-1', mutant: 'no-fs-merge', spec: 'mongoose-fs-merge', title: FS_MERGE, says: /conf9\.json carried over by the merge/ },
  { board: 'rboot-1', spec: 'mongoose-fs-merge', title: FS_MERGE },
  // The crashing candidate made permanent before its self-test: the crash scenario catches it.
  { board: 'rboot-1', mutant: 'commit-before-selftest', spec: 'withheld-commit', title: CRASH, says: /expected rboot-1 to boot 1\.0\.0 \(event revert\); it booted/ },
];
const project = (c: Case) => `${c.mutant ?? 'sim'}/${c.board}`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let run: Promise<Run> | undefined;
function once(): Promise<Run> {
  run ??= (async () => {
    // The malformed rig's run (below) starts beside this one: its start-up overlaps this run's.
    void malformed();
    const rigs = [...new Set(CASES.map((c) => simRig(dir, { board: c.board, rig: c.mutant ?? 'sim', mutant: c.mutant })))];
    const grep = CASES.map((c) => `^${escape(project(c))} ${escape(`scenarios/${c.spec}.spec.ts`)} .*${escape(c.title)}`).join('|');
    // (the spec files too: Playwright then loads only those to match -g against)
    const specs = [...new Set(CASES.map((c) => `scenarios/${c.spec}.spec.ts`))];
    const r = await playwrightTestAsync(['-g', grep, ...specs], { dir, rigs, timeoutMs: 300_000 });
    assert.equal(r.results.length, CASES.length, r.out);
    return r;
  })();
  return run;
}

for (const c of CASES) {
  const what = c.mutant ? `fails, saying what booted` : 'passes (no false alarm)';
  test(`${c.spec} on ${c.board}${c.mutant ? ` with the seeded bug ${c.mutant}` : ''} ${what}`, async () => {
    const all = await once();
    const r = resultOf(all, project(c), c.title);
    assert.equal(r.file, `scenarios/${c.spec}.spec.ts`);
    if (!c.says) return assert.equal(r.status, 'expected', `${r.error}\n${all.out}`);
    assert.equal(r.status, 'unexpected', `${project(c)} passed "${r.title}":\n${all.out}`);
    assert.match(r.error, c.says);
    assert.ok(all.out.includes(r.error.split('\n')[0]!), 'the line reporter printed the failure');
  });
}

test("the run fails, and Playwright's summary counts the failures", async () => {
  const failing = CASES.filter((c) => c.says).length;
  const all = await once();
  assert.notEqual(all.status, 0);
  assert.match(all.out, new RegExp(`\\n {2}${failing} failed\\n`));
  assert.match(all.out, new RegExp(`\\n {2}${CASES.length - failing} passed`));
});

let malformedRun: Promise<{ rig: string; run: Run }> | undefined;
function malformed(): Promise<{ rig: string; run: Run }> {
  malformedRun ??= (async () => {
    const rig = path.join(dir, 'malformed.json');
    const data = JSON.parse(readFileSync(simRig(dir, { board: 'mcuboot-1' }), 'utf8')) as { boards: Record<string, unknown>[] };
    data.boards[0]!.power = { kind: 'relay' };
    writeFileSync(rig, JSON.stringify(data));
    // (reports of its own: a run that did start would clear its output dir under the other run)
    return { rig, run: await playwrightTestAsync([], { dir: mkdtempSync(path.join(dir, 'malformed-')), rigs: [rig] }) };
  })();
  return malformedRun;
}

test('a malformed rig file names the file and field, without a stack trace', async () => {
  const { rig, run: { status, out, results } } = await malformed();
  assert.notEqual(status, 0);
  assert.deepEqual(results, [], 'nothing ran');
  assert.ok(out.includes(`${rig}: invalid rig file`), out);
  assert.match(out, /\/boards\/0\/power\/kind: unknown kind "relay"/);
  assert.doesNotMatch(out, /^\s+at .*\(.*:\d+:\d+\)$/m, 'no stack trace');
});
