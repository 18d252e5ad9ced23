// The live view: a run writes each board's console with the harness's notes to
// <reports>/live/<rig>/<board>.log as it happens, and `ota-hil console BOARD --follow` follows it
// from another process, read-only. Here the follower on hand-written files (from the current
// test on, appends, a new run); test/report/history.test.ts follows a real scenario run with
// `ota-hil console --follow` from a second process (its first nightly run: one run serves both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { followFile } from '../../harness/cli/follow-file.ts';
import { LiveLog } from '../../harness/report/live-log.ts';
import { until } from '../console/device-end.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'ota-hil-follow-'));
/** What the follower printed, waited for (it polls every 20 ms). */
const printed = (has: () => boolean, what: string) => until(has, 10_000, what);

void test('--follow starts at the test running now, prints what is appended, and reads a new run from its start', async () => {
  const file = path.join(tmp, 'b.log');
  writeFileSync(file, ['10:00:00.000 w0  ──── sim/b › first test (w0) ────', '10:00:00.001 w0     0.001s  old line', '10:00:00.002 w0  ──── end: passed ────', '10:00:01.000 w0  ──── sim/b › second test (w0) ────', '10:00:01.001 w0     0.001s  current line', ''].join('\n'));
  let out = '';
  const notes: string[] = [];
  const ac = new AbortController();
  const done = followFile(file, { out: (s) => (out += s), note: (s) => notes.push(s), pollMs: 20, signal: ac.signal });
  await printed(() => out.includes('current line'), 'the current test');
  assert.doesNotMatch(out, /old line/, 'the finished test is not repeated');
  assert.match(out, /second test[^]*current line/);
  appendFileSync(file, '10:00:01.100 w0     0.100s  ## power off\n10:00:01.2');
  await printed(() => out.includes('power off'), 'the appended line');
  assert.match(out, /## power off\n$/, 'an appended line, and no half line');
  appendFileSync(file, '00 w0     0.200s  I: Starting bootloader\n');
  await printed(() => out.includes('Starting bootloader'), 'the completed line');
  assert.match(out, /10:00:01\.200 w0 {5}0\.200s {2}I: Starting bootloader\n$/, 'the half line completed');
  writeFileSync(file, '11:00:00.000 w1  ──── sim/b › next run (w1) ────\n');
  await printed(() => out.includes('next run'), 'the new run');
  ac.abort();
  await done;
  assert.match(out, /next run/);
  assert.ok(notes.some((n) => n.includes('started over')), notes.join('\n'));
});

void test('the live log writes OTA progress once per tenth, where it ends, and where a cut hit it', () => {
  const file = path.join(tmp, 'progress.log');
  const log = new LiveLog({ file, tag: 'w0', title: 'sim/b › t' });
  const s = (t: number, bytes: number, phase: 'waiting' | 'transferring' | 'delivered', cut?: true) => log.progress({ t, delivery: 0, image: 'candidate 1.1.0', bytes, total: 1000, phase, ...(cut ? { cut } : {}) });
  s(1, 0, 'waiting');
  s(2, 50, 'transferring');
  s(3, 120, 'transferring');
  s(4, 180, 'transferring');
  s(5, 500, 'transferring', true);
  s(6, 1000, 'delivered');
  s(7, 1000, 'delivered', true);
  log.end('passed');
  const notes = readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('## '));
  assert.deepEqual(notes.map((l) => l.replace(/^.*## /, '')), [
    'ota progress: candidate 1.1.0 5% (50/1000 B)',
    'ota progress: candidate 1.1.0 12% (120/1000 B)',
    'ota progress: candidate 1.1.0 at the cut: 50% (500/1000 B), transferring',
    'ota progress: candidate 1.1.0 delivered at 100% (1000/1000 B)',
  ]);
});

void test('--follow waits for a log that is not there yet', async () => {
  const file = path.join(tmp, 'later', 'b.log');
  let out = '';
  const notes: string[] = [];
  const ac = new AbortController();
  const done = followFile(file, { out: (s) => (out += s), note: (s) => notes.push(s), pollMs: 20, signal: ac.signal });
  await printed(() => notes.length > 0, 'a note');
  assert.match(notes.join('\n'), /waiting for .*later\/b\.log/);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '10:00:00.000 w0  ──── sim/b › t (w0) ────\n');
  await printed(() => out.includes('sim/b › t'), 'the log once written');
  ac.abort();
  await done;
  assert.match(out, /sim\/b › t/);
});
