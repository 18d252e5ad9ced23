// `parse-bootlog` as a user runs it, with files on disk (main() in this process, its output and exit
// code captured: test/helpers/ota-hil.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { otaHil } from '../helpers/ota-hil.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-bootlog-'));
const file = (name: string, data: string | Uint8Array): string => {
  const f = path.join(dir, name);
  writeFileSync(f, data);
  return f;
};

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await otaHil(['parse-bootlog', ...args]);
  return { code: r.status, stdout: r.out, stderr: r.err };
}

const TRIAL = [
  '*** Booting MCUboot v2.1.0 ***',
  'I: Starting bootloader',
  'I: Image index: 0, Swap type: test',
  'I: Starting swap using scratch algorithm.',
  'I: Bootloader chainload address offset: 0x20000',
  'I: Jumping to the first image slot',
  '*** Booting Zephyr OS build v3.7.0 ***',
  '[00:00:00.012,000] <inf> app: Firmware version 1.1.0',
].join('\r\n');

void test('--json prints stack, boots and the final verdict; auto-detect works', async () => {
  const f = file('trial.log', TRIAL);
  for (const stack of ['mcuboot', 'auto']) {
    const r = await run([f, '--stack', stack, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { stack: string; boots: unknown[]; final: unknown };
    assert.equal(out.stack, 'mcuboot');
    assert.equal(out.boots.length, 1);
    assert.deepEqual(out.final, { slot: 'primary', event: 'trial', version: '1.1.0' });
  }
});

void test('the human summary has one line per boot and a final line', async () => {
  const f = file('two.log', `${TRIAL}\r\n${TRIAL.replace('Swap type: test', 'Swap type: revert').replace('1.1.0', '1.0.0')}\r\n`);
  const r = await run([f, '--stack=mcuboot']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.filter((l) => /^\s+boot \d/.test(l)).length, 2, r.stdout);
  assert.match(lines.at(-1) ?? '', /final: slot primary, event revert, version 1\.0\.0/);
});

void test('missing file, unknown stack, unknown flag: one clear line naming it, exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [[path.join(dir, 'nope.log'), '--stack', 'auto'], /cannot read .*nope\.log: no such file/],
    [[file('x.log', TRIAL), '--stack', 'vxworks'], /unknown stack "vxworks"/],
    [[file('y.log', TRIAL), '--verbose'], /unknown option --verbose/],
    [['--json'], /missing FILE/],
    [[file('z.log', TRIAL), '--stack'], /--stack needs a value/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
});

void test('binary garbage never crashes: auto finds no stack (exit 1), a given stack reports unknown (exit 0)', async () => {
  const bytes = new Uint8Array(8192);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 17) & 0xff;
  const f = file('garbage.bin', bytes);
  const auto = await run([f, '--json']);
  assert.equal(auto.code, 1, auto.stderr);
  assert.deepEqual(JSON.parse(auto.stdout), { stack: null, boots: [], final: { slot: null, event: 'unknown', version: null } });
  const given = await run([f, '--stack', 'esp-idf', '--json']);
  assert.equal(given.code, 0, given.stderr);
  const { why, ...verdict } = (JSON.parse(given.stdout) as { final: { why?: string } }).final;
  assert.deepEqual(verdict, { slot: null, event: 'unknown', version: null });
  assert.ok(why, 'final.why says why nothing is known');
});

void test('a truncated ESP8266 ROM banner after a download-mode boot is no normal boot; final.why says why', async () => {
  const f = file('cut.log', '\n ets Jan  8 2013,rst cause:1, boot mode:(1,7)\n\n ets Jan  8 ');
  const r = await run([f, '--stack', 'esp8266-arduino', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { final: { slot: string | null; event: string; version: string | null; why?: string } };
  assert.deepEqual([out.final.slot, out.final.event, out.final.version], [null, 'unknown', null]);
  assert.match(out.final.why ?? '', /cut off/);
});

void test('--stack naming another stack than the log shows: the detected stack is named and no verdict given', async () => {
  const f = file('mcuboot-as-idf.log', TRIAL);
  const r = await run([f, '--stack', 'esp-idf', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { final: { event: string; why?: string }; stackMismatch?: { detected: string } };
  assert.equal(out.stackMismatch?.detected, 'mcuboot');
  assert.equal(out.final.event, 'unknown');
  assert.match(out.final.why ?? '', /looks like mcuboot/);
  assert.match(r.stderr, /does not look like esp-idf/);
  // The right stack gets no such note.
  assert.equal((JSON.parse((await run([f, '--stack', 'mcuboot', '--json'])).stdout) as { stackMismatch?: unknown }).stackMismatch, undefined);
});

void test('--app-version and --app-slot read the app\'s own words; a bad regex is a usage error naming the flag', async () => {
  const f = file('app.log', ['0000001200 [app] INFO: fw {"v":7} slot B', '0000001300 [app] INFO: up'].join('\n'));
  const r = await run([f, '--stack', 'particle', '--app-version', '"v":(\\d+)', '--app-slot=slot (?<slot>[AB])', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { final: { slot: string | null; version: string | null } };
  assert.deepEqual([out.final.slot, out.final.version], ['B', '7']);
  const without = JSON.parse((await run([f, '--stack', 'particle', '--json'])).stdout) as { final: { version: string | null } };
  assert.equal(without.final.version, null);
  const bad = await run([f, '--stack', 'particle', '--app-version', '(']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--app-version/);
});
