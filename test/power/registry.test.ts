// createPowerSwitch: one driver per kind, built without touching hardware; the sim switch drives
// the simulated board's supply.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from '../../harness/typebox.ts';
import { PowerConfig } from '../../harness/rig/schema.ts';
import { createPowerSwitch } from '../../harness/power/registry.ts';
import { PowerError } from '../../harness/power/power-switch.ts';

const configs: Array<[PowerConfig, string]> = [
  [{ kind: 'sim' }, 'simulated supply'],
  [{ kind: 'manual' }, 'manual (operator at the terminal)'],
  [{ kind: 'command', on: ['pdu', 'on'], off: ['pdu', 'off'] }, 'command pdu on / pdu off'],
  [{ kind: 'hid-relay', serial: 'QWE12', channel: 2 }, 'hid-relay dcttech 16c0:05df QWE12 channel 2'],
  [{ kind: 'hid-relay', model: 'lcus', channel: 1 }, 'hid-relay lcus 5131:2007 channel 1'],
  [{ kind: 'serial-relay', port: { byId: 'usb-1a86_USB_Serial-if00-port0' }, channel: 1 }, 'serial-relay by-id/usb-1a86_USB_Serial-if00-port0 channel 1'],
  [{ kind: 'uhubctl', location: '1-1.4', port: 3 }, 'uhubctl hub 1-1.4 port 3'],
  [{ kind: 'ykush', serial: 'YK21374', port: 1 }, 'ykush YK21374 port 1'],
  [{ kind: 'sispmctl', outlet: 4, serial: '01:01:56:a2:f1' }, 'sispmctl 01:01:56:a2:f1 outlet 4'],
  [{ kind: 'usbrelay', serial: '6QMBS', channel: 2 }, 'usbrelay 6QMBS_2'],
];

class FakeSim {
  powered = false;
  events: string[] = [];
  powerOn() {
    this.powered = true;
    this.events.push('on');
  }
  powerOff() {
    this.powered = false;
    this.events.push('off');
  }
}

void describe('createPowerSwitch', () => {
  void it('builds every kind without touching hardware, and every example config is valid', () => {
    for (const [config, description] of configs) {
      assert.ok(Value.Check(PowerConfig, config), `schema rejects ${JSON.stringify(config)}`);
      assert.equal(createPowerSwitch(config, { board: 'b1', sim: new FakeSim() }).description, description);
    }
  });

  void it('the schema rejects unknown fields and out-of-range channels', () => {
    assert.equal(Value.Check(PowerConfig, { kind: 'usbrelay', serial: '6QMBS', channel: 9 }), false);
    assert.equal(Value.Check(PowerConfig, { kind: 'uhubctl', location: '1-1', port: 2, hub: 'x' }), false);
    assert.equal(Value.Check(PowerConfig, { kind: 'uhubctl', location: 'hub one', port: 2 }), false);
  });

  void it('sim: switches the simulated board synchronously and reads its supply', async () => {
    const sim = new FakeSim();
    const sw = createPowerSwitch({ kind: 'sim' }, { board: 'b1', sim });
    assert.equal(await sw.state(), 'off');
    const p = sw.on();
    assert.equal(sim.powered, true, 'the supply is on before the promise is awaited');
    await p;
    await sw.off();
    assert.equal(await sw.state(), 'off');
    assert.deepEqual(sim.events, ['on', 'off']);
  });

  void it('sim without a simulated board is an error naming the board', () => {
    assert.throws(
      () => createPowerSwitch({ kind: 'sim' }, { board: 'b1' }),
      (e: unknown) => e instanceof PowerError && /board b1: power switch \(sim\)/.test(e.message),
    );
  });
});
