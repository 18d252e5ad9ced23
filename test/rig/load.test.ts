import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRig, RigError } from '../../harness/rig/load.ts';
import { matchesFilter, parseFilter } from '../../harness/rig/filter.ts';
import { promisesOf } from '../../harness/fixtures/promises.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-rig-'));
const write = (name: string, data: unknown) => {
  const f = path.join(dir, name);
  writeFileSync(f, typeof data === 'string' ? data : JSON.stringify(data));
  return f;
};
const problems = (file: string) => {
  try {
    loadRig(file);
  } catch (e) {
    assert.ok(e instanceof RigError, `expected a RigError, got ${String(e)}`);
    assert.equal(e.file, file);
    return e.problems;
  }
  assert.fail('the rig loaded but should not have');
};

test('the default sim rig is valid', () => {
  const rig = loadRig('rigs/sim.json');
  assert.equal(rig.name, 'sim');
  assert.ok(rig.boards.length >= 1);
});

test('every problem is reported at once with its JSON pointer', () => {
  const sim = JSON.parse(readFileSync('rigs/sim.json', 'utf8'));
  const b = sim.boards[0];
  b.colour = 'red'; // unknown field
  b.power = { kind: 'laser' };
  b.console.baud = 'fast';
  delete b.transport.trigger;
  const ps = problems(write('bad.json', sim));
  const at = (p: string) => ps.find((x) => x.pointer === p)?.message ?? '';
  assert.match(at('/boards/0/colour'), /unknown field/);
  assert.match(at('/boards/0/power/kind'), /unknown kind "laser".*hid-relay/);
  assert.match(at('/boards/0/console/baud'), /integer|number/i);
  assert.match(at('/boards/0/transport/trigger'), /missing required field/);
  assert.equal(ps.length, 4, JSON.stringify(ps));
});

test('broken JSON and missing files name the file', () => {
  assert.match(problems(write('trunc.json', '{"name": "x",'))[0]!.message, /not valid JSON/);
  assert.match(problems(path.join(dir, 'absent.json'))[0]!.message, /cannot read/);
});

test('semantic checks: duplicate boards, sim parts on a real board', () => {
  const sim = JSON.parse(readFileSync('rigs/sim.json', 'utf8'));
  const real = { ...sim.boards[0], name: 'real-1' };
  delete real.sim;
  const r = sim.boards.push(real, { ...sim.boards[0] }) - 2; // index of the real board
  const ps = problems(write('sem.json', sim));
  assert.ok(ps.some((p) => p.pointer === `/boards/${r + 1}/name` && /duplicate/.test(p.message)), JSON.stringify(ps));
  assert.ok(ps.some((p) => p.pointer === `/boards/${r}/power/kind`));
  assert.ok(ps.some((p) => p.pointer === `/boards/${r}/install/kind`));
  assert.ok(ps.some((p) => p.pointer === '/images/baseline' && /real hardware/.test(p.message)));
});

test('tag filters select boards like a fleet rollout', () => {
  const rig = loadRig('rigs/sim.json');
  const b = rig.boards[0]!;
  assert.equal(matchesFilter(b, parseFilter('stack=mcuboot')), true);
  assert.equal(matchesFilter(b, parseFilter('stack=mcuboot,arch=esp8266')), false);
  assert.equal(matchesFilter(b, parseFilter('arch!=esp8266')), true);
  assert.throws(() => parseFilter('arch'), /key=value/);
});

test('every rig the project ships validates, the hardware example included', () => {
  const files = readdirSync('rigs', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json') && !f.endsWith('schema.json'));
  assert.ok(files.includes(path.join('examples', 'bench-a.json')), files.join(', '));
  for (const f of files) {
    const rig = loadRig(path.join('rigs', f));
    assert.ok(rig.boards.length > 0, f);
  }
  const bench = loadRig('rigs/examples/bench-a.json');
  assert.deepEqual(bench.boards.map((b) => [b.power.kind, b.transport.kind, b.sim]), [
    ['hid-relay', 'http-pull', undefined],
    ['uhubctl', 'smp', undefined],
    ['usbrelay', 'espota', undefined],
  ]);
});

test('firmware.rollback: false changes what esp-idf promises; on another stack it is refused by pointer', () => {
  const rig = loadRig('rigs/sim.json');
  const idf2 = rig.boards.find((b) => b.name === 'esp-idf-2')!;
  assert.equal(idf2.firmware?.rollback, false);
  const off = promisesOf('esp-idf', idf2.firmware);
  assert.deepEqual([off.firstBoot.event, off.withheldCommit, off.crashingCandidate], ['swap', null, { brickRisk: true }]);
  const on = promisesOf('esp-idf', { rollback: true });
  assert.deepEqual([on.firstBoot.event, on.withheldCommit, on.crashingCandidate], ['trial', { event: 'revert', runs: 'baseline' }, { event: 'revert', runs: 'baseline' }]);
  assert.deepEqual(promisesOf('esp-idf'), on);
  const data = JSON.parse(readFileSync('rigs/sim.json', 'utf8'));
  data.boards.find((b: { name: string }) => b.name === 'mcuboot-1').firmware = { rollback: false };
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-rig-'));
  writeFileSync(path.join(dir, 'rig.json'), JSON.stringify(data));
  assert.throws(() => loadRig(path.join(dir, 'rig.json')), /\/boards\/0\/firmware\/rollback: modelled for esp-idf only \(this board's stack is mcuboot\)/);
});

test('firmware.signed: false makes a corrupt image a documented risk on esp8266-arduino; on another stack it is refused', () => {
  const rig = loadRig('rigs/sim.json');
  const e2 = rig.boards.find((b) => b.name === 'esp8266-2')!;
  assert.equal(e2.firmware?.signed, false);
  assert.deepEqual(promisesOf('esp8266-arduino', e2.firmware).corruptImage, { brickRisk: true });
  assert.equal(promisesOf('esp8266-arduino', { signed: true }).corruptImage, 'no-reboot');
  const data = JSON.parse(readFileSync('rigs/sim.json', 'utf8'));
  data.boards.find((b: { name: string }) => b.name === 'esp-idf-1').firmware = { signed: false };
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-rig-'));
  writeFileSync(path.join(dir, 'rig.json'), JSON.stringify(data));
  assert.throws(() => loadRig(path.join(dir, 'rig.json')), /\/boards\/1\/firmware\/signed: modelled for esp8266-arduino only \(this board's stack is esp-idf\)/);
});
