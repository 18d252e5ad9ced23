// Mongoose OS RPC over the console: framing (byte-exact, CRC-32), OTA.Begin/Write/End push with
// progress and a hold point, OTA.Update {url}, Commit/Revert/GetBootState.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { simRig, testImage } from './sim-rig.ts';
import { sinkStack } from './sink-stack.ts';
import { RpcDeframer, crc32, frameRpc, HANDSHAKE_REPLY } from '../../harness/ota/proto/mos.ts';
import type { MosRpcTransport } from '../../harness/ota/mos-rpc.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('frames: JSON between """ with its CRC-32; garbage and log text between frames ignored', () => {
  assert.equal(crc32('123456789'), 0xcbf43926); // the CRC-32 check value
  const f = frameRpc({ id: 1, method: 'OTA.Commit' });
  assert.equal(f, `"""{"id":1,"method":"OTA.Commit"}${crc32('{"id":1,"method":"OTA.Commit"}').toString(16).padStart(8, '0')}"""`);
  const d = new RpcDeframer();
  assert.deepEqual(d.push(`boot log line\r\n${HANDSHAKE_REPLY}\r\n`), [{ kind: 'handshake' }]);
  assert.deepEqual(d.push(`${f.slice(0, 10)}`), []);
  assert.deepEqual(d.push(`${f.slice(10)}\r\n`), [{ kind: 'frame', frame: { id: 1, method: 'OTA.Commit' } }]);
  assert.equal(d.push('"""{"id":2}00000000"""')[0]!.kind, 'corrupt');
  assert.deepEqual(d.push('"""{"id":3}"""'), [{ kind: 'frame', frame: { id: 3 } }], 'the CRC is optional, as on the device');
});

test('OTA.Begin/Write/End push: progress by acknowledged writes, then reboot; Commit and GetBootState', async () => {
  const rig = await simRig('mos-1', sinkStack(['mos-rpc']), { kind: 'mos-rpc', chunkSize: 1024, timeoutMs: 10_000 });
  try {
    rig.device.powerOn();
    await rig.console.expect('peer: boot 0', { timeout: 5000 });
    const img = testImage(9000);
    const d = await rig.transport.start(img);
    assert.equal((await d.reached({ bytes: 2500 }, { timeout: 5000 })).bytes, 2500);
    d.resume();
    assert.equal((await d.delivered({ timeout: 10_000 })).bytes, 9000);
    await rig.console.expect(`sink: got 9000 bytes sha256=${sha(img.bytes)}`, { timeout: 5000 });
    await rig.console.expect('peer: boot 1', { timeout: 5000 });
    const mos = rig.transport as MosRpcTransport;
    assert.equal((await mos.bootState()).is_committed, false);
    await mos.commit();
    assert.equal((await mos.bootState()).is_committed, true);
    await assert.rejects(mos.rpc.call('OTA.Nope'), /mos-1: mos-rpc: OTA.Nope failed: No handler for OTA.Nope \(code 404\)/);
  } finally {
    await rig.close();
  }
});

test('OTA.Update {url}: the board downloads from the harness; progress by bytes served', async () => {
  const rig = await simRig('mos-2', sinkStack(['mos-rpc']), { kind: 'mos-rpc', mode: 'url', timeoutMs: 10_000 });
  try {
    rig.device.powerOn();
    await rig.console.expect('peer: boot 0', { timeout: 5000 });
    const img = testImage(12_000);
    const d = await rig.transport.start(img);
    assert.equal((await d.delivered({ timeout: 10_000 })).bytes, 12_000);
    await rig.console.expect(`sink: got 12000 bytes sha256=${sha(img.bytes)}`, { timeout: 5000 });
  } finally {
    await rig.close();
  }
});

test('a board that never answers the handshake fails naming board and transport', async () => {
  const rig = await simRig('mos-3', sinkStack([]), { kind: 'mos-rpc', timeoutMs: 15_000, requestTimeoutMs: 1000 });
  try {
    rig.device.powerOn();
    const d = await rig.transport.start(testImage(100));
    await assert.rejects(d.delivered({ timeout: 15_000 }), /mos-3: mos-rpc: the board does not answer the RPC handshake \(no .* within 1000 ms\)/);
  } finally {
    await rig.close();
  }
});
