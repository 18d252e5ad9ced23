// Rig files refused up front, each problem with the file, its JSON pointer and the fix: record keys,
// reserved keys, regexes, empty names, timeouts, geometry, images that do not fit, by-id paths.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RigError, validateRig, validateRigWithImages } from '../../harness/rig/load.ts';

const pty = () => JSON.parse(readFileSync('rigs/sim-pty.json', 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The problems of `rig` as "pointer: message" lines (the rig must be refused). */
function refused(rig: unknown, file = 'lab.json'): string[] {
  try {
    validateRig(JSON.parse(JSON.stringify(rig)), file);
  } catch (e) {
    assert.ok(e instanceof RigError, String(e));
    assert.ok(e.message.startsWith(`${file}: invalid rig file`), e.message);
    return e.problems.map((p) => `${p.pointer}: ${p.message}`);
  }
  return assert.fail('accepted');
}

const has = (lines: string[], re: RegExp) => assert.ok(lines.some((l) => re.test(l)), `${re}\nin:\n${lines.join('\n')}`);

test('record keys: a name that breaks the pattern is refused with the name to write; unknown fields inside an entry too', () => {
  const r = pty();
  r.images['new image'] = { version: '2.0.0', sim: { size: 1000 } };
  r.images.baseline.colour = 'red';
  r.boards[0].tags['Arch Type'] = 'x';
  const ps = refused(r);
  has(ps, /^\/images\/new image: image name "new image" does not match .*; write it as "new-image"$/);
  has(ps, /^\/images\/baseline\/colour: unknown field/);
  has(ps, /^\/boards\/0\/tags\/Arch Type: tag name "Arch Type" does not match .*; write it as "arch-type"$/);
});

test('__proto__, constructor and prototype are refused wherever they are, and nothing reaches Object.prototype', () => {
  const text = readFileSync('rigs/sim-pty.json', 'utf8').replace('"images": {', '"images": { "__proto__": { "polluted": 1 }, "constructor": { "version": "1" },');
  const ps = refused(JSON.parse(text));
  has(ps, /^\/images\/__proto__: "__proto__" is a reserved name/);
  has(ps, /^\/images\/constructor: "constructor" is a reserved name/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('every regex is compiled: commit.expect, addressFrom (with host), progress (with pct), onPattern, app (with its group)', () => {
  const r = pty();
  r.boards[0].commit.expect = 'Image (confirmed';
  const ps = refused(r);
  has(ps, /^\/boards\/0\/commit\/expect: not a valid regex: /);
  const c = pty();
  c.boards[0].transport = { kind: 'command', command: ['esptool.py', '{image}'], progress: '(\\d+) %', addressFrom: '[ip' };
  const cs = refused(c);
  has(cs, /^\/boards\/0\/transport\/progress: needs a named group pct/);
  has(cs, /^\/boards\/0\/transport\/addressFrom: not a valid regex/);
  // board.app: refused by validation (not at board open), with the fix.
  const a = pty();
  a.boards[0].app = { version: 'fw v(\\S+', slot: 'running slot \\d', confirmed: '[confirmed' };
  const as = refused(a, 'bench.json');
  has(as, /^\/boards\/0\/app\/version: not a valid regex: .*Unterminated group; a literal \( .* is written with a backslash, doubled in JSON \("\\\\\("\)$/);
  has(as, /^\/boards\/0\/app\/slot: needs a group for the slot: group 1 or a named group, e\.g\. "\(\?<slot>\\\\S\+\)"$/);
  has(as, /^\/boards\/0\/app\/confirmed: not a valid regex: /);
  const ok = pty();
  ok.boards[0].app = { version: 'fw v(\\S+)', slot: 'running slot (?<slot>\\d)', confirmed: 'confirmed' };
  validateRig(ok, 'bench.json');
});

test('empty commands, programs, console names and hosts are refused', () => {
  const r = pty();
  r.boards[0].commit.command = '  ';
  r.boards[0].transport.trigger.consoleCommand = '';
  r.boards[0].transport.host = '';
  r.boards[0].install = { kind: 'command', command: [''] };
  const ps = refused(r);
  has(ps, /^\/boards\/0\/commit\/command: empty console command$/);
  has(ps, /^\/boards\/0\/transport\/trigger\/consoleCommand: empty console command$/);
  has(ps, /^\/boards\/0\/transport\/host: empty host$/);
  has(ps, /^\/boards\/0\/install\/command\/0: empty program name/);
  const p = pty();
  p.boards[0].console.port = { byId: '' };
  delete p.boards[0].sim;
  has(refused(p), /^\/boards\/0\/console\/port\/byId: empty byId/);
});

test("timeouts past setTimeout's range, a slot smaller than a sector, an image larger than its slot", () => {
  const r = pty();
  r.boards[0].bootTimeoutMs = 2 ** 31;
  r.boards[0].sim.slotSize = 4096;
  r.boards[0].sim.sectorSize = 8192;
  r.images.candidate.sim.size = 200_000;
  const ps = refused(r);
  has(ps, /^\/boards\/0\/bootTimeoutMs: 2147483648 ms is beyond what a timer can wait \(at most 2147483647 ms/);
  has(ps, /^\/boards\/0\/sim\/slotSize: 4096 is smaller than the sector size 8192/);
  has(ps, /^\/images\/candidate\/sim\/size: image candidate \(200000 bytes\) is larger than board mcuboot-pty's slot \(4096 bytes/);
});

test('a sim image its stack cannot build is refused by pointer, before any board opens, with the other problems', async () => {
  const r = pty();
  r.images.candidate.version = 'latest';
  r.boards[0].bootTimeoutMs = 2 ** 31;
  const e = await validateRigWithImages(JSON.parse(JSON.stringify(r)), 'lab.json').then(
    () => assert.fail('accepted'),
    (e: unknown) => e,
  );
  assert.ok(e instanceof RigError, String(e));
  const ps = e.problems.map((p) => `${p.pointer}: ${p.message}`);
  has(ps, /^\/images\/candidate: cannot be built for board mcuboot-pty \(mcuboot, \/boards\/0\/sim\): /);
  has(ps, /^\/boards\/0\/bootTimeoutMs: /);
  // Reading the rig again (a Playwright worker, a CLI command on one board) builds nothing: only the other problem.
  assert.deepEqual(refused(r).map((l) => l.split(':')[0]), ['/boards/0/bootTimeoutMs']);
});

test('byId / byPath given as a full /dev path: what to write instead', () => {
  const r = JSON.parse(readFileSync('rigs/examples/bench-a.json', 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  r.boards[0].console.port = { byId: '/dev/serial/by-id/usb-FTDI_FT232R-if00-port0' };
  r.boards[1].console.port = { byPath: '/dev/ttyUSB0' };
  const ps = refused(r);
  has(ps, /^\/boards\/0\/console\/port\/byId: byId is the name under \/dev\/serial\/by-id\/, not a path: write "usb-FTDI_FT232R-if00-port0"$/);
  has(ps, /^\/boards\/1\/console\/port\/byPath: byPath is the name under \/dev\/serial\/by-path\/, not a path: for a device path write \{"path": "\/dev\/ttyUSB0"\}$/);
});

test('the project rigs stay valid', () => {
  for (const f of ['rigs/sim.json', 'rigs/sim-pty.json', 'rigs/examples/bench-a.json']) validateRig(JSON.parse(readFileSync(f, 'utf8')), f);
});
