// ArduinoOTA: the harness side (as espota.py) against the simulated board's device side, with
// and without a password, progress by acknowledged bytes, a hold point, and byte-exact messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { simRig, testImage } from './sim-rig.ts';
import { sinkStack } from './sink-stack.ts';
import { authResponse, clientNonce, formatAuth, formatInvitation, parseAuth, parseInvitation } from '../../harness/ota/proto/espota.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function otaRig(name: string, device: { password?: string }, harness: { password?: string }) {
  const rig = await simRig(name, sinkStack(['espota'], { espota: device }), { kind: 'espota', ...harness, timeoutMs: 10_000 });
  rig.device.powerOn();
  await rig.console.expect(/ArduinoOTA ready at/, { timeout: 5000 });
  return rig;
}

test('messages are byte-exact with espota.py and ArduinoOTA', () => {
  const md5 = createHash('md5').update('fw').digest('hex');
  assert.equal(formatInvitation({ cmd: 0, port: 40000, size: 1234, md5 }), `0 40000 1234 ${md5}\n`);
  assert.deepEqual(parseInvitation(`100 12345 99 ${md5.toUpperCase()}\n`), { cmd: 100, port: 12345, size: 99, md5 });
  assert.equal(parseInvitation(`7 1 1 ${md5}\n`), null, 'unknown commands are ignored as the device ignores them');
  // espota.py: cnonce = md5(filename + str(size) + file_md5 + remoteAddr); result = md5(md5(pw):nonce:cnonce)
  const cnonce = clientNonce('fw.bin', 1234, md5, '192.168.1.5');
  assert.equal(cnonce, createHash('md5').update(`fw.bin1234${md5}192.168.1.5`).digest('hex'));
  const pw = createHash('md5').update('secret').digest('hex');
  const nonce = 'a'.repeat(32);
  assert.equal(authResponse('secret', nonce, cnonce), createHash('md5').update(`${pw}:${nonce}:${cnonce}`).digest('hex'));
  assert.equal(formatAuth(cnonce, 'b'.repeat(32)), `200 ${cnonce} ${'b'.repeat(32)}\n`);
  assert.deepEqual(parseAuth(`200 ${cnonce} ${'b'.repeat(32)}\n`), { cnonce, response: 'b'.repeat(32) });
});

test('delivers with the MD5 challenge; progress by acknowledged chunks; the board reboots', async () => {
  const rig = await otaRig('espota-1', { password: 'secret' }, { password: 'secret' });
  try {
    const img = testImage(20_000);
    const d = await rig.transport.start(img);
    const p = await d.reached({ bytes: 1460 * 3 }, { timeout: 5000 });
    assert.equal(p.bytes, 4380);
    d.resume();
    assert.equal((await d.delivered({ timeout: 10_000 })).bytes, 20_000);
    await rig.console.expect(`sink: got 20000 bytes sha256=${sha(img.bytes)}`, { timeout: 5000 });
    await rig.console.expect('peer: boot 1', { timeout: 5000 });
  } finally {
    await rig.close();
  }
});

test('a wrong password fails clearly and nothing is written', async () => {
  const rig = await otaRig('espota-2', { password: 'secret' }, { password: 'guess' });
  try {
    const d = await rig.transport.start(testImage(5000));
    await assert.rejects(d.delivered({ timeout: 5000 }), /espota-2: espota: .*wrong password: the board answered "Authentication Failed"; nothing was sent/);
    assert.equal(rig.console.lines.some((l) => l.text.startsWith('sink:')), false, 'the updater never began');
  } finally {
    await rig.close();
  }
});

test('a board with a password and a rig without one: named error', async () => {
  const rig = await otaRig('espota-3', { password: 'secret' }, {});
  try {
    const d = await rig.transport.start(testImage(5000));
    await assert.rejects(d.delivered({ timeout: 5000 }), /espota-3: espota: .*asks for a password/);
  } finally {
    await rig.close();
  }
});

test('Update.begin refusing (too large) comes back as ERR', async () => {
  const rig = await simRig('espota-4', sinkStack(['espota'], {}, { maxSize: 1000 }), { kind: 'espota', timeoutMs: 5000 });
  try {
    rig.device.powerOn();
    await rig.console.expect(/ArduinoOTA ready at/, { timeout: 5000 });
    const d = await rig.transport.start(testImage(5000));
    await assert.rejects(d.delivered({ timeout: 5000 }), /espota-4: espota: .*refused the invitation: ERR: Not Enough Space/);
  } finally {
    await rig.close();
  }
});
