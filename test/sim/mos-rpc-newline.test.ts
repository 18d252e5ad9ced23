// Mongoose OS RPC in the newer framing, `{json}<crc32 hex>\n`, as mos's own host tool sends it to
// rpc-uart: the simulated device answers in kind (a line, with a CRC because the caller sent one),
// drops a frame whose CRC is wrong, and the harness's client pushes an update in that framing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { simRig, testImage } from '../ota/sim-rig.ts';
import { sinkStack } from '../ota/sink-stack.ts';

const hex = (s: string) => crc32(s).toString(16).padStart(8, '0');

test('newline frames: a line call is answered by a line with its CRC; a bad CRC is dropped', async () => {
  const rig = await simRig('mos-nl-1', sinkStack(['mos-rpc']), { kind: 'mos-rpc', framing: 'newline', timeoutMs: 10_000 });
  try {
    rig.device.powerOn();
    await rig.console.expect('peer: boot 0', { timeout: 5000 });
    const bad = '{"id":7,"method":"OTA.Status"}';
    await rig.console.write(`${bad}${hex(bad).replace(/^./, (c) => (c === '0' ? '1' : '0'))}\n`);
    const call = '{"id":8,"src":"mos","method":"OTA.Status"}';
    await rig.console.write(`${call}${hex(call)}\n`);
    const line = await rig.console.expect(/^\{"id":8,/, { timeout: 5000 });
    const m = /^(\{.*\})([0-9a-f]{8})$/.exec(line.text);
    assert.ok(m, `a JSON line with a CRC: ${line.text}`);
    assert.equal(m[2], hex(m[1]!));
    assert.deepEqual(JSON.parse(m[1]!), { id: 8, src: 'mos_nl_1', dst: 'mos', result: { state: 0 } });
    assert.equal(rig.console.lines.some((l) => l.text.startsWith('{"id":7')), false, 'the corrupt call got no answer');
    assert.equal(rig.console.lines.some((l) => l.text.includes('"""')), false, 'no old delimiters in a newline session');
  } finally {
    await rig.close();
  }
});

test('newline frames: the harness client pushes OTA.Begin/Write/End in that framing', async () => {
  const rig = await simRig('mos-nl-2', sinkStack(['mos-rpc']), { kind: 'mos-rpc', framing: 'newline', chunkSize: 1024, timeoutMs: 10_000 });
  try {
    rig.device.powerOn();
    await rig.console.expect('peer: boot 0', { timeout: 5000 });
    const img = testImage(5000);
    const d = await rig.transport.start(img);
    assert.equal((await d.delivered({ timeout: 10_000 })).bytes, 5000);
    await rig.console.expect(`sink: got 5000 bytes sha256=${createHash('sha256').update(img.bytes).digest('hex')}`, { timeout: 5000 });
    assert.equal(rig.console.lines.some((l) => l.text.includes('"""')), false);
  } finally {
    await rig.close();
  }
});
