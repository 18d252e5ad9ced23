// The tool-driven switches (uhubctl, ykushcmd, sispmctl, usbrelay, a rig's own command) against
// fake executables first on PATH that record their argv and print what the real tools print,
// including the ways the real tools lie (exit 0 without a device). Then, where the real tools are
// installed, against the real tools on a machine without the hardware.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { CommandPowerSwitch } from '../../harness/power/command.ts';
import { PowerError } from '../../harness/power/power-switch.ts';
import { SispmctlPowerSwitch } from '../../harness/power/sispmctl.ts';
import { parseUhubctl, UhubctlPowerSwitch } from '../../harness/power/uhubctl.ts';
import { UsbrelayPowerSwitch } from '../../harness/power/usbrelay.ts';
import { YkushPowerSwitch } from '../../harness/power/ykush.ts';
import { installFakeTools, type FakeTools } from './fake-tools.ts';

const board = { board: 'nrf52-c' };

async function rejectsPower(p: Promise<unknown>, driver: string, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => assert.fail('expected a PowerError'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PowerError, `not a PowerError: ${String(err)}`);
  assert.match(err.message, new RegExp(`board nrf52-c: power switch \\(${driver}\\)`));
  assert.match(err.message, pattern);
}

let fake: FakeTools;
const fresh = () => {
  fake = installFakeTools();
  fake.usePath();
};

void describe('uhubctl', () => {
  beforeEach(fresh);
  afterEach(() => fake.restore());

  void it('runs -l LOC -p N -a off|on and reads the port from the "New status" blocks of both hub halves', async () => {
    const sw = new UhubctlPowerSwitch({ kind: 'uhubctl', location: '1-1', port: 2, repeat: 100 }, board);
    assert.equal(await sw.state(), 'on');
    await sw.off();
    assert.equal(await sw.state(), 'off');
    await sw.on();
    assert.deepEqual(fake.argv('uhubctl'), [
      ['-l', '1-1', '-p', '2'],
      ['-l', '1-1', '-p', '2', '-r', '100', '-a', 'off'],
      ['-l', '1-1', '-p', '2'],
      ['-l', '1-1', '-p', '2', '-a', 'on'],
    ]);
    assert.equal(sw.description, 'uhubctl hub 1-1 port 2');
  });

  void it('fails when the hub accepts the request but the port stays powered (ganged hub)', async () => {
    fake.mark('uhubctl.stuck');
    const sw = new UhubctlPowerSwitch({ kind: 'uhubctl', location: '1-1', port: 2 }, board);
    await rejectsPower(sw.off(), 'uhubctl', /asked to switch port 2 of hub 1-1 off, but uhubctl reports it on/);
  });

  void it('passes on uhubctl\'s own complaint when there is no hub at the location', async () => {
    const sw = new UhubctlPowerSwitch({ kind: 'uhubctl', location: '1-2', port: 2 }, board);
    await rejectsPower(sw.on(), 'uhubctl', /exited with 1: No compatible devices detected at location 1-2!/);
  });

  void it('parses one port among several, ignoring the attached device\'s name', () => {
    const out = [
      'Current status for hub 1-1.4 [0bda:5411 Generic 4-Port USB 2.0 Hub, USB 2.10, 4 ports, ppps]',
      '  Port 1: 0100 power',
      '  Port 2: 0000 off',
      '  Port 3: 0103 power enable connect [1a86:7523 QinHeng power off switch]',
      '  Port 4: 0100 power',
    ].join('\n');
    assert.equal(parseUhubctl(out, 2, 'Current status'), 'off');
    assert.equal(parseUhubctl(out, 3, 'Current status'), 'on');
    assert.equal(parseUhubctl(out, 3, 'New status'), 'unknown', 'no "New status" block: nothing to confirm');
  });
});

void describe('ykush', () => {
  beforeEach(fresh);
  afterEach(() => fake.restore());

  void it('runs ykushcmd ykush -s SERIAL -d|-u|-g PORT and reads the state back after each switch', async () => {
    const sw = new YkushPowerSwitch({ kind: 'ykush', serial: 'YK21374', port: 2 }, board);
    await sw.off();
    assert.equal(await sw.state(), 'off');
    await sw.on();
    assert.deepEqual(fake.argv('ykushcmd'), [
      ['ykush', '-s', 'YK21374', '-d', '2'],
      ['ykush', '-s', 'YK21374', '-g', '2'],
      ['ykush', '-s', 'YK21374', '-g', '2'],
      ['ykush', '-s', 'YK21374', '-u', '2'],
      ['ykush', '-s', 'YK21374', '-g', '2'],
    ]);
  });

  void it('reads the ykush3 and ykushxs status formats', async () => {
    const y3 = new YkushPowerSwitch({ kind: 'ykush', model: 'ykush3', port: 1 }, board);
    await y3.off();
    assert.equal(await y3.state(), 'off');
    const xs = new YkushPowerSwitch({ kind: 'ykush', model: 'ykushxs' }, board);
    await xs.off();
    assert.equal(await xs.state(), 'off');
    assert.deepEqual(fake.argv('ykushcmd').slice(-3), [['ykushxs', '-d'], ['ykushxs', '-g'], ['ykushxs', '-g']]);
  });

  void it('fails although ykushcmd exits 0 when the board is not there ("Unable to open device", port 15)', async () => {
    fake.mark('ykushcmd.absent');
    const sw = new YkushPowerSwitch({ kind: 'ykush', port: 2 }, board);
    await rejectsPower(sw.off(), 'ykush', /could not reach the ykush port 2: Unable to open device/);
    await rejectsPower(sw.state(), 'ykush', /Unable to open device/);
  });

  void it('fails when the port does not follow', async () => {
    fake.mark('ykushcmd.stuck');
    const sw = new YkushPowerSwitch({ kind: 'ykush', port: 3 }, board);
    await rejectsPower(sw.off(), 'ykush', /switched the ykush port 3 off, but it reads back on/);
  });

  void it('needs a port unless it is a ykushxs', () => {
    assert.throws(() => new YkushPowerSwitch({ kind: 'ykush', model: 'ykush3' }, board), /a ykush3 needs "port"/);
  });
});

void describe('sispmctl', () => {
  beforeEach(fresh);
  afterEach(() => fake.restore());

  void it('puts -D SERIAL before the action and reads -q -g back', async () => {
    const sw = new SispmctlPowerSwitch({ kind: 'sispmctl', serial: '01:01:56:a2:f1', outlet: 3 }, board);
    await sw.on();
    assert.equal(await sw.state(), 'on');
    await sw.off();
    assert.deepEqual(fake.argv('sispmctl'), [
      ['-D', '01:01:56:a2:f1', '-o', '3'],
      ['-D', '01:01:56:a2:f1', '-q', '-g', '3'],
      ['-D', '01:01:56:a2:f1', '-q', '-g', '3'],
      ['-D', '01:01:56:a2:f1', '-f', '3'],
      ['-D', '01:01:56:a2:f1', '-q', '-g', '3'],
    ]);
    assert.equal(fake.file('sispmctl.outlet3'), 'off');
  });

  void it('reports a missing strip or a wrong serial with sispmctl\'s own words', async () => {
    await rejectsPower(
      new SispmctlPowerSwitch({ kind: 'sispmctl', serial: '01:01:00:00:00', outlet: 1 }, board).on(),
      'sispmctl',
      /exited with 1: No device with serial number 01:01:00:00:00 found/,
    );
    fake.mark('sispmctl.absent');
    await rejectsPower(new SispmctlPowerSwitch({ kind: 'sispmctl', outlet: 1 }, board).state(), 'sispmctl', /No GEMBIRD SiS-PM found/);
  });
});

void describe('usbrelay', () => {
  beforeEach(fresh);
  afterEach(() => fake.restore());

  void it('runs usbrelay ID_N=1|0 and confirms with a listing', async () => {
    const sw = new UsbrelayPowerSwitch({ kind: 'usbrelay', serial: '6QMBS', channel: 2 }, board);
    await sw.on();
    assert.equal(fake.file('usbrelay.state'), '6QMBS_1=0\n6QMBS_2=1');
    assert.equal(await sw.state(), 'on');
    await sw.off();
    assert.deepEqual(fake.argv('usbrelay'), [['6QMBS_2=1'], [], [], ['6QMBS_2=0'], []]);
  });

  void it('fails when usbrelay exits 0 but the relay did not switch', async () => {
    fake.mark('usbrelay.noswitch');
    const sw = new UsbrelayPowerSwitch({ kind: 'usbrelay', serial: '6QMBS', channel: 2 }, board);
    await rejectsPower(sw.on(), 'usbrelay', /usbrelay 6QMBS_2=1 exited 0 but the relay reads back off/);
  });

  void it('fails when usbrelay exits 0 with no relay attached at all', async () => {
    fake.mark('usbrelay.absent');
    const sw = new UsbrelayPowerSwitch({ kind: 'usbrelay', serial: '6QMBS', channel: 2 }, board);
    await rejectsPower(sw.off(), 'usbrelay', /relay 6QMBS_2 not found \(usbrelay lists: no relays at all\)/);
  });

  void it('fails for an ID that is not attached, listing the ones that are', async () => {
    const sw = new UsbrelayPowerSwitch({ kind: 'usbrelay', serial: 'XXXXX', channel: 1 }, board);
    await rejectsPower(sw.on(), 'usbrelay', /relay XXXXX_1 not found \(usbrelay lists: 6QMBS_1=0 \| 6QMBS_2=0\)/);
  });
});

void describe('command', () => {
  beforeEach(fresh);
  afterEach(() => fake.restore());

  const cfg = {
    kind: 'command' as const,
    on: ['power-ctl', '--outlet', '3', 'on'],
    off: ['power-ctl', '--outlet', '3', 'off'],
    state: ['power-ctl', '--outlet', '3', 'status'],
    onPattern: '^Outlet 3: ON\\b',
  };

  void it('runs the rig\'s argv and reads the state with onPattern', async () => {
    const sw = new CommandPowerSwitch(cfg, board);
    assert.equal(await sw.state(), 'off');
    await sw.on();
    assert.equal(await sw.state(), 'on');
    await sw.off();
    assert.equal(await sw.state(), 'off');
    assert.deepEqual(fake.argv('power-ctl').map((a) => a.at(-1)), ['status', 'on', 'status', 'off', 'status']);
  });

  void it('without a state command the state is unknown; without onPattern only a bare on/off is read', async () => {
    assert.equal(await new CommandPowerSwitch({ ...cfg, state: undefined }, board).state(), 'unknown');
    assert.equal(await new CommandPowerSwitch({ ...cfg, onPattern: undefined }, board).state(), 'unknown');
  });

  void it('passes arguments literally, never through a shell', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-'));
    const evil = `$(touch ${dir}/pwned); echo hi > ${dir}/pwned2`;
    const sw = new CommandPowerSwitch({ ...cfg, on: ['power-ctl', '--outlet', '3', evil, 'two words', 'on'] }, board);
    await sw.on();
    assert.deepEqual(fake.argv('power-ctl').at(-1), ['--outlet', '3', evil, 'two words', 'on']);
    assert.equal(existsSync(`${dir}/pwned`) || existsSync(`${dir}/pwned2`), false);
  });

  void it('a failing command is an error carrying its stderr; a bad onPattern is caught at once', async () => {
    const sw = new CommandPowerSwitch({ ...cfg, off: ['power-ctl', '--outlet', '3', 'fail'] }, board);
    await rejectsPower(sw.off(), 'command', /power-ctl --outlet 3 fail exited with 3: power-ctl: connection refused/);
    assert.throws(() => new CommandPowerSwitch({ ...cfg, onPattern: '(' }, board), /onPattern is not a valid regular expression/);
  });

  void it('times out a hung command', async () => {
    const sw = new CommandPowerSwitch({ ...cfg, on: ['sleep', '5'], timeoutMs: 200 }, board);
    const t = Date.now();
    await rejectsPower(sw.on(), 'command', /sleep 5 timed out after 200 ms/);
    assert.ok(Date.now() - t < 3000);
  });
});

void describe('a tool that is not installed', () => {
  let oldPath: string | undefined;
  before(() => {
    oldPath = process.env.PATH;
    process.env.PATH = mkdtempSync(path.join(tmpdir(), 'ota-hil-empty-'));
  });
  after(() => {
    process.env.PATH = oldPath;
  });

  void it('names the tool and the Debian package to install', async () => {
    await rejectsPower(
      new UsbrelayPowerSwitch({ kind: 'usbrelay', serial: '6QMBS', channel: 1 }, board).on(),
      'usbrelay',
      /usbrelay is not installed \(not found on PATH\); install the Debian package usbrelay \(apt-get install -y usbrelay\)/,
    );
    await rejectsPower(new YkushPowerSwitch({ kind: 'ykush', port: 1 }, board).on(), 'ykush', /ykushcmd is not installed.*Debian package ykush-control/);
    await rejectsPower(new SispmctlPowerSwitch({ kind: 'sispmctl', outlet: 1 }, board).state(), 'sispmctl', /sispmctl is not installed.*Debian package sispmctl/);
    await rejectsPower(
      new CommandPowerSwitch({ kind: 'command', on: ['pdu-tool', 'on'], off: ['pdu-tool', 'off'] }, board).on(),
      'command',
      /pdu-tool is not installed \(not found on PATH\)$/,
    );
  });

  void it('uhubctl is also looked for in /usr/sbin, which is often not on a user\'s PATH', async () => {
    const sw = new UhubctlPowerSwitch({ kind: 'uhubctl', location: '1-1', port: 1 }, board);
    if (existsSync('/usr/sbin/uhubctl') || existsSync('/sbin/uhubctl') || existsSync('/usr/local/sbin/uhubctl')) {
      await rejectsPower(sw.state(), 'uhubctl', /uhubctl -l 1-1 -p 1 exited with|reports/); // found there, no hub
    } else {
      await rejectsPower(sw.state(), 'uhubctl', /uhubctl is not installed.*Debian package uhubctl/);
    }
  });
});

const installed = (tool: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const noUsb = existsSync('/sys/bus/usb') ? 'this machine has a USB bus; a real relay might answer' : false;

void describe('the real tools on a machine without the hardware', () => {
  void it('usbrelay exits 0 with nothing attached: the driver still fails', { skip: noUsb || (!installed('usbrelay') && 'usbrelay is not installed') }, async () => {
    await rejectsPower(new UsbrelayPowerSwitch({ kind: 'usbrelay', serial: '6QMBS', channel: 1 }, board).on(), 'usbrelay', /relay 6QMBS_1 not found/);
  });

  void it('ykushcmd exits 0 with nothing attached: the driver still fails', { skip: noUsb || (!installed('ykushcmd') && 'ykushcmd is not installed') }, async () => {
    await rejectsPower(new YkushPowerSwitch({ kind: 'ykush', port: 1 }, board).off(), 'ykush', /Unable to open device/);
  });

  void it('sispmctl and uhubctl exit non-zero: the error carries their message', { skip: noUsb || (!installed('sispmctl') && 'sispmctl is not installed') }, async () => {
    await rejectsPower(new SispmctlPowerSwitch({ kind: 'sispmctl', outlet: 1 }, board).off(), 'sispmctl', /No GEMBIRD SiS-PM found/);
    if (installed('uhubctl')) {
      await rejectsPower(new UhubctlPowerSwitch({ kind: 'uhubctl', location: '1-1', port: 1 }, board).off(), 'uhubctl', /No compatible devices detected/);
    }
  });
});
