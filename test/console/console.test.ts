// The console over a real pseudo-terminal: serialport's native binding, as on hardware.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, writeSync, closeSync, readSync } from 'node:fs';
import { Console } from '../../harness/console/console.ts';
import { hasSocat, ptyPair } from '../helpers/pty.ts';

const skip = hasSocat() ? false : 'socat is not installed (apt-get install socat)';

test('lines with timestamps, cursor-based expect, garbage bytes and split lines', { skip }, async () => {
  const pair = await ptyPair();
  const con = await Console.open({ board: 'pty-1', path: pair.harness, baudRate: 921600 });
  const dev = openSync(pair.device, 'r+');
  try {
    writeSync(dev, Buffer.from('I: Starting boot'));
    writeSync(dev, Buffer.from('loader\r\n\xff\xfe\x00garbage\r\nI: Jumping to the first image slot\r\n', 'latin1'));
    const l = await con.expect(/Jumping/, { timeout: 2000 });
    assert.equal(l.n, 2);
    assert.equal(con.lines[0]!.text, 'I: Starting bootloader', 'a line split across reads is joined');
    assert.match(con.lines[1]!.text, /garbage$/, 'invalid UTF-8 is replaced, not fatal');
    assert.ok(con.lines[0]!.t <= con.lines[2]!.t, 'timestamps are monotonic');
    // The cursor moved past the match: an earlier line is not found again.
    await assert.rejects(con.expect(/Starting bootloader/, { timeout: 100 }), /pty-1: no line matching/);
    writeSync(dev, Buffer.from('app: Firmware version 1.1.0\n'));
    assert.equal((await con.expect('Firmware version', { timeout: 2000 })).n, 3);
    await con.send('mcuboot confirm');
    const buf = Buffer.alloc(64);
    const n = readSync(dev, buf);
    assert.equal(buf.subarray(0, n).toString(), 'mcuboot confirm\n');
    assert.match(con.transcript(), /## > mcuboot confirm/);
    assert.ok(con.rawBytes().includes(Buffer.from([0xff, 0xfe])), 'raw bytes are kept as received');
  } finally {
    closeSync(dev);
    await con.close();
    pair.close();
  }
});

test('a missing port fails naming the board and the path', async () => {
  await assert.rejects(
    Console.open({ board: 'ghost-1', path: '/dev/does-not-exist', baudRate: 115200, openTimeoutMs: 2000 }),
    /ghost-1: cannot open console \/dev\/does-not-exist/,
  );
});
