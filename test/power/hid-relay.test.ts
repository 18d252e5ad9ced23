// hid-relay against recording fake USB devices: the exact control transfers (request type,
// recipient, bRequest, wValue, wIndex, bytes) for channel 2, the state read, device selection by
// the ID in the feature report, and the failures a real bench produces.
import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HidRelayPowerSwitch } from '../../harness/power/hid-relay.ts';
import { PowerError } from '../../harness/power/power-switch.ts';
import { FakeDcttech, FakeLcusHid, fakeBus } from './fake-usb.ts';

const SET = { requestType: 'class', recipient: 'device', request: 0x09, value: 0x0300, index: 0 };
const GET = { requestType: 'class', recipient: 'device', request: 0x01, value: 0x0300, index: 0 };

function relay(opts: { serial?: string; channel?: number; model?: 'dcttech' | 'lcus' }, bus: ReturnType<typeof fakeBus>, timeoutMs?: number) {
  return new HidRelayPowerSwitch(
    { kind: 'hid-relay', channel: opts.channel ?? 2, ...(opts.serial ? { serial: opts.serial } : {}), ...(opts.model ? { model: opts.model } : {}) },
    { board: 'esp32-a' },
    { bus, ...(timeoutMs ? { timeoutMs } : {}) },
  );
}

async function rejectsPower(p: Promise<unknown>, pattern: RegExp): Promise<PowerError> {
  const err = await p.then(
    () => assert.fail('expected a PowerError'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PowerError, `not a PowerError: ${String(err)}`);
  assert.match(err.message, /board esp32-a/);
  assert.match(err.message, /hid-relay/);
  assert.match(err.message, pattern);
  return err;
}

void describe('hid-relay, dcttech 16c0:05df', () => {
  void it('switches channel 2 on and off with SET_REPORT FF/FD 02 and reads back byte 7', async () => {
    const dev = new FakeDcttech('QWE12', 2);
    const sw = relay({ serial: 'QWE12' }, fakeBus([dev]));

    await sw.on();
    assert.equal(dev.bits, 0b10);
    await sw.off();
    assert.equal(dev.bits, 0);
    assert.equal(await sw.state(), 'off');

    assert.deepEqual(dev.log, [
      { kind: 'controlIn', setup: GET, length: 8 }, // finding the relay by the ID in its report
      { kind: 'controlOut', setup: SET, data: [0xff, 0x02, 0, 0, 0, 0, 0, 0] },
      { kind: 'controlIn', setup: GET, length: 8 }, // read back after switching on
      { kind: 'controlOut', setup: SET, data: [0xfd, 0x02, 0, 0, 0, 0, 0, 0] },
      { kind: 'controlIn', setup: GET, length: 8 },
      { kind: 'controlIn', setup: GET, length: 8 }, // state()
    ]);
    await sw.close();
    assert.equal(dev.opened, false);
  });

  void it('reads channel 2 from bit 1 of byte 7, ignoring the other channels', async () => {
    const dev = new FakeDcttech('QWE12', 8);
    const sw = relay({}, fakeBus([dev]));
    dev.bits = 0b1111_1101; // every channel on but 2
    assert.equal(await sw.state(), 'off');
    dev.bits = 0b0000_0010;
    assert.equal(await sw.state(), 'on');
  });

  void it('picks the relay by the ID from its feature report and closes the others', async () => {
    const a = new FakeDcttech('AAAAA');
    const b = new FakeDcttech('BBBBB');
    const sw = relay({ serial: 'BBBBB' }, fakeBus([a, b]));
    await sw.on();
    assert.equal(a.bits, 0);
    assert.equal(b.bits, 0b10);
    assert.equal(a.opened, false);
    assert.ok(b.opened);
  });

  void it('refuses to guess between several relays, and names the IDs it saw', async () => {
    const a = new FakeDcttech('AAAAA');
    const b = new FakeDcttech('BBBBB');
    await rejectsPower(relay({}, fakeBus([a, b])).on(), /2 dcttech relays are attached \(IDs AAAAA, BBBBB\); set "serial"/);
    await rejectsPower(relay({ serial: 'CCCCC' }, fakeBus([a, b])).on(), /no dcttech relay with ID CCCCC \(attached: AAAAA, BBBBB\)/);
    assert.equal(a.bits | b.bits, 0, 'nothing was switched');
    assert.equal(a.opened || b.opened, false, 'nothing left open');
  });

  void it('fails when the relay acknowledges but does not switch', async () => {
    const dev = new FakeDcttech('QWE12');
    dev.stuck = true;
    await rejectsPower(relay({}, fakeBus([dev])).on(), /relay QWE12 channel 2 reads back off after switching on/);
  });

  void it('rejects a channel the board does not have (USBRelay2 has no channel 4)', async () => {
    await rejectsPower(relay({ channel: 4 }, fakeBus([new FakeDcttech('QWE12', 2)])).on(), /has 2 channels, there is no channel 4/);
  });

  void it('says so when no relay is attached', async () => {
    await rejectsPower(relay({}, fakeBus([new FakeLcusHid()])).state(), /no dcttech USB relay \(16c0:05df\) is attached/);
  });

  void it('turns a getDevices rejection (sandbox without /sys/bus/usb) into a clear error', async () => {
    const bus = fakeBus([], new Error('getDevices error: /sys/bus/usb/devices/ not found (errno 2)'));
    await rejectsPower(relay({}, bus).on(), /cannot list USB devices.*\/sys\/bus\/usb\/devices\/ not found/);
  });

  void it('times out a wedged device and searches again on the next call', async () => {
    const dev = new FakeDcttech('QWE12');
    const bus = fakeBus([dev]);
    const sw = relay({}, bus, 100);
    dev.hang = true;
    await rejectsPower(sw.on(), /GET_REPORT \(feature\) timed out after 100 ms/);
    dev.hang = false;
    await sw.on();
    assert.equal(bus.listed, 2, 'the device was looked up again after the failure');
    assert.equal(await sw.state(), 'on');
  });

  void it('with the real node-usb: no USB here gives a clear error, not a crash', async (t) => {
    const sw = new HidRelayPowerSwitch({ kind: 'hid-relay', channel: 1 }, { board: 'esp32-a' }, { timeoutMs: 3000 });
    const err = await rejectsPower(sw.state(), /cannot list USB devices|no dcttech USB relay/);
    if (!existsSync('/sys/bus/usb')) assert.match(err.message, /\/sys\/bus\/usb does not exist/);
    else t.diagnostic(`this machine has a USB bus; got: ${err.message}`);
  });
});

void describe('hid-relay, LCUS HID 5131:2007', () => {
  void it('writes A0 02 01 A3 / A0 02 00 A2 to the OUT endpoint after claiming interface 0', async () => {
    const dev = new FakeLcusHid();
    const sw = relay({ model: 'lcus' }, fakeBus([dev]));
    await sw.on();
    await sw.off();
    assert.deepEqual(dev.frames, [
      [0xa0, 0x02, 0x01, 0xa3],
      [0xa0, 0x02, 0x00, 0xa2],
    ]);
    assert.deepEqual(
      dev.log.map((t) => `${t.kind} ${'endpoint' in t ? t.endpoint : ''}`),
      ['out 2', 'in 1', 'out 2', 'in 1'],
    );
    assert.deepEqual(dev.calls.slice(0, 3), ['open', 'detach 0', 'claim 0']);
    assert.equal(await sw.state(), 'unknown', 'LCUS HID boards cannot report their state');
    await sw.close();
    assert.deepEqual(dev.calls.slice(-2), ['release 0', 'close']);
  });

  void it('rejects "serial" for LCUS boards, which carry no ID', () => {
    assert.throws(
      () => relay({ model: 'lcus', serial: 'X' }, fakeBus([])),
      (e: unknown) => e instanceof PowerError && /report no ID/.test(e.message),
    );
  });
});
