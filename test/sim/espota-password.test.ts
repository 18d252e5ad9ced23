// ArduinoOTA's password on the simulated board's own side, spoken to as espota.py speaks (raw UDP,
// computed here from the protocol, not with the harness's codec): the right answer starts the
// update, a wrong one and a replayed one are refused; the rig's transport.password reaches the
// simulated ESP8266 board.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { simRig } from '../ota/sim-rig.ts';
import { sinkStack } from '../ota/sink-stack.ts';
import { simDeviceConfig } from '../../harness/sim/stack.ts';
import type { BoardConfig } from '../../harness/rig/schema.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

async function board(name: string) {
  const rig = await simRig(name, sinkStack(['espota'], { espota: { password: 'secret' } }), { kind: 'espota', password: 'secret', timeoutMs: 10_000 });
  rig.device.powerOn();
  const line = await rig.console.expect(/ArduinoOTA ready at 127\.0\.0\.1:(\d+)/, { timeout: 5000 });
  const port = Number(/:(\d+)/.exec(line.text)![1]);
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const ask = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(text)}`)), 3000);
      udp.once('message', (m) => {
        clearTimeout(t);
        resolve(m.toString('latin1'));
      });
      udp.send(text, port, '127.0.0.1');
    });
  return { rig, ask, close: async () => (udp.close(), await rig.close()) };
}

test('espota password: the right answer is accepted, a wrong one and a replayed one are refused', async () => {
  const b = await board('espota-pw-1');
  try {
    const digest = md5('firmware');
    const invite = `0 1 100 ${digest}\n`; // host port 1: the connect-back fails, the device goes idle
    const cnonce = md5('fw.bin100' + digest + '127.0.0.1');
    const answer = (nonce: string, pw: string) => `200 ${cnonce} ${md5(`${md5(pw)}:${nonce}:${cnonce}`)}\n`;

    const c1 = await b.ask(invite);
    assert.match(c1, /^AUTH [0-9a-f]{32}$/);
    assert.equal(await b.ask(answer(c1.slice(5), 'guess')), 'Authentication Failed');

    const c2 = await b.ask(invite);
    assert.notEqual(c2, c1, 'every invitation gets a fresh nonce');
    const good = answer(c2.slice(5), 'secret');
    assert.equal(await b.ask(good), 'OK');
    await b.rig.console.expect(/sink: aborted/, { timeout: 5000 }); // nobody listens on port 1

    const c3 = await b.ask(invite);
    assert.notEqual(c3, c2);
    assert.equal(await b.ask(good), 'Authentication Failed', 'a recorded answer to an old nonce is refused');
  } finally {
    await b.close();
  }
});

test("the rig's espota password is the simulated board's ArduinoOTA password", () => {
  const base = { sim: {}, firmware: undefined } as const;
  const espota = { kind: 'espota', password: 'secret' } as BoardConfig['transport'];
  assert.equal(simDeviceConfig({ ...base, transport: espota }).otaPassword, 'secret');
  assert.equal(simDeviceConfig({ ...base, transport: { kind: 'espota' } }).otaPassword, undefined);
  assert.equal(simDeviceConfig({ ...base, transport: { kind: 'smp' } }).otaPassword, undefined);
});
