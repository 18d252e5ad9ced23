// The LCUS serial relay driver through serialport's native binding over a socat pseudo-terminal
// pair, with an LCUS board played on the other end that decodes and checksums every frame.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PowerError } from '../../harness/power/power-switch.ts';
import { SerialRelayPowerSwitch } from '../../harness/power/serial-relay.ts';
import { hasSocat, ptyPair, type PtyPair } from '../helpers/pty.ts';
import { hex, LcusPeer } from './lcus-peer.ts';

const skip = hasSocat() ? false : 'socat is not installed (apt-get install -y socat)';

/** `queryMs`: the driver's default (generous: an answering board never waits it out) unless the board is silent. */
async function bench(channels = 4, queryMs?: number): Promise<{ pair: PtyPair; peer: LcusPeer; relay: SerialRelayPowerSwitch; done: () => Promise<void> }> {
  const pair = await ptyPair();
  const peer = await LcusPeer.open(pair.device, channels);
  const relay = new SerialRelayPowerSwitch({ kind: 'serial-relay', port: { path: pair.harness }, channel: 2 }, { board: 'stm32-b' }, { queryMs });
  return {
    pair,
    peer,
    relay,
    done: async () => {
      await relay.close();
      await peer.close();
      pair.close();
    },
  };
}

async function rejectsPower(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => assert.fail('expected a PowerError'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PowerError, `not a PowerError: ${String(err)}`);
  assert.match(err.message, /board stm32-b: power switch \(serial-relay\)/);
  assert.match(err.message, pattern);
}

void describe('serial-relay (LCUS over CH340)', { skip }, () => {
  void it('sends A0 02 01 A3 and A0 02 00 A2 for channel 2 and reads the state back', async () => {
    const { peer, relay, done } = await bench();
    try {
      await relay.on();
      assert.deepEqual(peer.relays, [false, true, false, false]);
      assert.equal(await relay.state(), 'on');
      await relay.off();
      assert.equal(await relay.state(), 'off');
      assert.deepEqual(peer.frames.map(hex), ['A0 02 01 A3', 'A0 02 00 A2']);
      assert.deepEqual(peer.errors, []);
      assert.equal(peer.queries, 4, 'one read-back per switch, one per state()');
    } finally {
      await done();
    }
  });

  void it('a single-channel board that never answers: switching works, state is unknown, no query after the first', async () => {
    const { peer, relay, done } = await bench(4, 300);
    peer.answersQuery = false;
    try {
      await relay.on();
      await relay.off();
      await relay.on();
      await peer.waitFrames(3);
      assert.deepEqual(peer.frames.map(hex), ['A0 02 01 A3', 'A0 02 00 A2', 'A0 02 01 A3']);
      assert.equal(peer.queries, 1, 'a silent board is asked once, not after every switch');
      assert.equal(await relay.state(), 'unknown');
      assert.deepEqual(peer.errors, []);
    } finally {
      await done();
    }
  });

  void it('fails when the board answers but the relay did not follow', async () => {
    const { peer, relay, done } = await bench();
    peer.deadChannel = 2;
    try {
      await rejectsPower(relay.on(), /sent A0 02 01 A3 on .* but channel 2 reads back off/);
    } finally {
      await done();
    }
  });

  void it('a board that answered once is read back however long its answer takes: a relay that did not follow is still caught', async () => {
    const { peer, relay, done } = await bench();
    try {
      await relay.on();
      assert.equal(peer.queries, 1);
      // The next answer comes only after the first query's wait (queryMs) would have run out.
      peer.deadChannel = 2;
      peer.holdAnswers();
      const off = rejectsPower(relay.off(), /sent A0 02 00 A2 on .* but channel 2 reads back on/);
      for (let i = 0; peer.queries < 2 && i < 1000; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(peer.queries, 2, 'the switch is read back');
      await new Promise((r) => setTimeout(r, 2500)); // past the driver's default queryMs (2 s)
      peer.releaseAnswers();
      await off;
    } finally {
      await done();
    }
  });

  void it('the adapter vanishing mid-run (power cut to the hub, cable pulled) is a clear error, not a hang', async () => {
    const { pair, relay, done } = await bench();
    try {
      await relay.on();
      pair.close(); // socat exits: both pseudo-terminals disappear, like an unplugged CH340
      await new Promise((r) => setTimeout(r, 200));
      await rejectsPower(relay.off(), /EIO|does not exist|closed|timed out/);
      await rejectsPower(relay.off(), /does not exist/);
    } finally {
      await done();
    }
  });

  void it('a missing port fails at once, naming the port', async () => {
    const missing = path.join(mkdtempSync(path.join(tmpdir(), 'ota-hil-')), 'ttyUSB9');
    const relay = new SerialRelayPowerSwitch({ kind: 'serial-relay', port: { path: missing }, channel: 1 }, { board: 'stm32-b' });
    await rejectsPower(relay.on(), new RegExp(`serial port ${missing} does not exist`));
    const byId = new SerialRelayPowerSwitch({ kind: 'serial-relay', port: { byId: 'usb-1a86_USB_Serial-if00-port0' }, channel: 1 }, { board: 'stm32-b' });
    await rejectsPower(byId.state(), /\/dev\/serial\/by-id\/usb-1a86_USB_Serial-if00-port0 is not present/);
  });
});
