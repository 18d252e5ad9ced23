// The ota-hil board commands as a user runs them (main() in this process, its output and exit code
// captured: test/helpers/ota-hil.ts): on the simulated rigs they work in-process; where hardware or
// enumeration is missing they say so plainly, with an exit code and no stack trace. The live
// console runs as bin/ota-hil.mjs in a child process: it ends on Ctrl-C, a signal to its process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { acquireBoardLock } from '../../harness/locks/board-lock.ts';
import { listRelays } from '../../harness/cli/relays.ts';
import { hasSocat } from '../helpers/pty.ts';
import { adapterUnderRoot, DeviceEnd } from '../console/device-end.ts';
import { FakeDcttech, FakeLcusHid } from '../power/fake-usb.ts';
import { otaHil } from '../helpers/ota-hil.ts';

const BIN = path.resolve('bin/ota-hil.mjs');
const noSocat = hasSocat() ? false : 'socat is not installed (apt-get install socat)';

const cli = otaHil;

const noStack = (text: string) => assert.doesNotMatch(text, /^\s+at .*:\d+:\d+\)?$/m, `a stack trace:\n${text}`);

/** A rig with one real board: console behind a by-id link, power through a USB HID relay. */
function realRig(byId: string, power: object = { kind: 'hid-relay', channel: 1 }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-rig-'));
  writeFileSync(path.join(dir, 'base.bin'), Buffer.alloc(256, 0xe9));
  const rig = {
    name: 'bench',
    images: { baseline: { version: '1.0.0', file: 'base.bin' } },
    boards: [{ name: 'esp32-bench', stack: 'esp-idf', console: { port: { byId } }, power, transport: { kind: 'command', command: ['true'] }, install: { kind: 'command', command: ['true'] } }],
  };
  writeFileSync(path.join(dir, 'rig.json'), JSON.stringify(rig));
  return path.join(dir, 'rig.json');
}

test('ports: stable links with their devices and the boards on them; dangling links noted', { skip: noSocat }, async () => {
  const { root, byId, adapter } = adapterUnderRoot();
  const dev = await DeviceEnd.open((await adapter.plug()).device);
  mkdirSync(path.join(root, 'by-path'), { recursive: true });
  symlinkSync(adapter.current!.harness, path.join(root, 'by-path', 'pci-0000:00:14.0-usb-0:2:1.0-port0'));
  symlinkSync('/dev/ttyUSB97', path.join(root, 'by-id', 'usb-gone-if00-port0'));
  try {
    const r = await cli(['ports', '--rig', realRig(byId)], { OTA_HIL_SERIAL_ROOT: root });
    assert.equal(r.status, 0, r.err);
    const block = r.out.slice(r.out.indexOf(adapter.current!.harness));
    assert.match(block, new RegExp(`^${adapter.current!.harness}  .*\\n    by-id/${byId}\\n    by-path/pci-0000:00:14\\.0-usb-0:2:1\\.0-port0\\n    used by bench/esp32-bench console \\(by-id/${byId}\\)`));
    assert.match(r.out, /note: .*by-id\/usb-gone-if00-port0 is a dangling link/);
  } finally {
    await dev.close();
    adapter.close();
  }
});

test('ports: a machine that cannot enumerate says so (no udevadm, no /dev/serial)', async () => {
  const r = await cli(['ports'], { PATH: '/nonexistent', OTA_HIL_SERIAL_ROOT: '/nonexistent/serial' });
  assert.equal(r.status, 1, r.out + r.err);
  assert.match(r.err, /^ota-hil: cannot enumerate serial ports on this machine:\n  no \/nonexistent\/serial\/by-id or by-path: udev has made no stable links.*\n  cannot list serial ports: .*udevadm/);
  noStack(r.err);
});

test('relays: without USB access, a plain message and exit 1; with relays, their IDs and states', async () => {
  const r = await cli(['relays', '--rig', 'rigs/examples/bench-a.json']);
  if (existsSync('/sys/bus/usb')) assert.equal(r.status, 0, r.err);
  else {
    assert.equal(r.status, 1);
    assert.match(r.err, /^ota-hil: cannot enumerate USB devices: .*\n  there is no \/sys\/bus\/usb here: no USB access/);
    noStack(r.err);
  }
  // Either way, the relays the rig expects: what to plug in.
  assert.equal(r.out.split('\n').filter((l) => l.startsWith('bench-a/')).join('\n'), 'bench-a/esp32-1: hid-relay dcttech QAAMZ channel 1\nbench-a/esp8266-1: usbrelay BITFT channel 2');
  const relay = new FakeDcttech('QAAMZ', 2);
  relay.bits = 0b10;
  const lines = await listRelays({ getDevices: () => Promise.resolve([relay, new FakeLcusHid()]) });
  assert.deepEqual(lines, [
    '16c0:05df  dcttech USBRelay2  ID QAAMZ  1=off 2=on  power kind "hid-relay", serial "QAAMZ"',
    '5131:2007  LCUS HID relay (write-only: no ID, no state)  power kind "hid-relay", model "lcus"',
  ]);
  assert.deepEqual(relay.calls, ['open', 'close'], 'opened to read, closed again');
  assert.deepEqual(relay.log.map((t) => t.kind === 'controlIn' && [t.setup.requestType, t.setup.request, t.setup.value, t.length]), [['class', 0x01, 0x0300, 8]]);
});

test('power on the sim rig: an in-process board, said so; a cycle reads back on', async () => {
  const r = await cli(['power', 'mcuboot-1', 'cycle']);
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /^simulated board mcuboot-1 \(in this process\): UART in-process; supply switched in-process\n  nothing physical is switched/);
  assert.match(r.out, /mcuboot-1: off; on again in 200 ms\nmcuboot-1: switched on; it reads back on\n$/);
});

test('power through the serial-relay driver and a simulated LCUS relay (sim-pty rig)', { skip: noSocat }, async () => {
  const r = await cli(['power', 'mcuboot-pty', 'on', '--rig', 'rigs/sim-pty.json']);
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /supply switched by a simulated LCUS relay \(channel 2\)/);
  assert.match(r.out, /mcuboot-pty: serial-relay \S+\/by-id\/usb-1a86_USB_Serial-if00-port0 channel 2\nmcuboot-pty: switched on; it reads back on\n$/);
});

test('power: unknown board, bad action, absent hardware, a board in use', async () => {
  let r = await cli(['power', 'nope', 'on']);
  assert.equal(r.status, 2);
  assert.match(r.err, /no board named "nope" \(boards: mcuboot-1, /);
  r = await cli(['power', 'mcuboot-1', 'sideways']);
  assert.equal(r.status, 2);
  assert.match(r.err, /say on, off or cycle/);

  const locks = mkdtempSync(path.join(tmpdir(), 'ota-hil-locks-'));
  const rig = realRig('usb-FTDI_FT232R_USB_UART_A10KZP45-if00-port0');
  if (!existsSync('/sys/bus/usb')) {
    r = await cli(['power', 'esp32-bench', 'on', '--rig', rig], { OTA_HIL_LOCK_DIR: locks });
    assert.equal(r.status, 1, r.out);
    assert.match(r.err, /^ota-hil: board esp32-bench: power switch \(hid-relay\): .*\/sys\/bus\/usb/);
    noStack(r.err);
  }
  const lock = await acquireBoardLock('esp32-bench', { dir: locks, what: 'a scenario run' });
  try {
    r = await cli(['power', 'esp32-bench', 'off', '--rig', rig], { OTA_HIL_LOCK_DIR: locks });
    assert.equal(r.status, 1);
    assert.match(r.err, new RegExp(`^ota-hil: board esp32-bench is in use by pid ${process.pid} .*"a scenario run".*\\n  a run is using it; --force switches it anyway`));
  } finally {
    lock.releaseSync();
  }
  // A lock whose lease ran out is taken over, and the command says so on its own stderr (then
  // fails at the absent relay: where USB is there, a real relay could be switched).
  if (!existsSync('/sys/bus/usb')) {
    const stale = { board: 'esp32-bench', pid: 1, host: 'other-rig-host', startedAt: '2024-05-01T10:00:00.000Z', leaseUntil: Date.now() - 5000, what: 'playwright test', token: 'abc' };
    writeFileSync(path.join(locks, 'esp32-bench.lock'), JSON.stringify(stale));
    r = await cli(['power', 'esp32-bench', 'off', '--rig', rig], { OTA_HIL_LOCK_DIR: locks });
    assert.match(r.err, /^board esp32-bench: took over the lock of pid 1 on other-rig-host .*its lease ran out/m);
    assert.equal(r.status, 1, r.out);
  }
});

/** Runs `ota-hil console`, waits for `until` on stdout, then Ctrl-C. */
function liveConsole(args: string[], until: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, 'console', ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (until.test(out)) child.kill('SIGINT');
    });
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (status) => {
      clearTimeout(guard);
      resolve({ status, out });
    });
  });
}

test('console on the sim rig: a live, timestamped boot until Ctrl-C', async () => {
  const r = await liveConsole(['mcuboot-1'], /app: Image already confirmed/);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /^simulated board mcuboot-1 \(in this process\): UART in-process.*\n  baseline 1\.0\.0 installed, powered on now; Ctrl-C to stop\n/);
  // mcuboot-1 prints Zephyr's full log format (rigs/sim.json sim.logFormat): stamp, level, module.
  assert.match(r.out, /\n +\d+\.\d{3}s  \[[\d:.,]+\] <inf> mcuboot: Starting bootloader\n(.*\n)* +\d+\.\d{3}s  \[[\d:.,]+\] <inf> mcuboot: Jumping to the first image slot\n/);
});

test('console on the sim-pty rig: the port appears with the power, as a real adapter would', { skip: noSocat }, async () => {
  const r = await liveConsole(['mcuboot-pty', '--rig', 'rigs/sim-pty.json'], /Firmware version 1\.0\.0/);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, / +\d+\.\d{3}s  ## console not present: .*\n +\d+\.\d{3}s  ## console found \(\/dev\/pts\/\d+\)\n +\d+\.\d{3}s  \*\*\* Booting MCUboot/);
});

test('console of a real board whose adapter is absent: a plain error', async () => {
  const r = await cli(['console', 'esp32-bench', '--rig', realRig('usb-FTDI_FT232R_USB_UART_A10KZP45-if00-port0')], {
    OTA_HIL_SERIAL_ROOT: '/nonexistent/serial',
    OTA_HIL_LOCK_DIR: mkdtempSync(path.join(tmpdir(), 'ota-hil-locks-')),
  });
  assert.equal(r.status, 1);
  assert.match(r.err, /^ota-hil: esp32-bench: cannot open console by-id\/usb-FTDI_FT232R_USB_UART_A10KZP45-if00-port0: not present .*\n  \(no \/nonexistent\/serial on this machine: udev has made no serial links; --wait waits for the port\)\n$/);
});

// A process of its own: what the bin adds to main() (tsx in the repository, the exit code through
// process.exitCode) is only seen from outside.
test('bin/ota-hil.mjs runs the TypeScript sources and exits with the command\'s code', () => {
  const r = spawnSync(process.execPath, [BIN, 'rig', 'frobnicate'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^ota-hil: unknown rig command "frobnicate"\nusage: ota-hil rig validate FILE/);
});

test('rig validate and rig schema know the sim-pty rig', async () => {
  const r = await cli(['rig', 'validate', 'rigs/sim-pty.json']);
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /sim-pty\.json: ok \(1 board: mcuboot-pty\)/);
  const s = await cli(['rig', 'schema']);
  assert.equal(s.status, 0);
  assert.match(s.out, /"uart"/);
});

test('rig: help, a missing rig file, an unwritable schema path and stray options get plain answers', async () => {
  for (const args of [['rig', '--help'], ['rig', 'validate', '--help'], ['rig', 'schema', '-h']]) {
    const r = await cli(args);
    assert.equal(r.status, 0, args.join(' '));
    assert.match(r.out, /usage: ota-hil rig validate FILE/);
  }
  const missing = await cli(['rig', 'validate', '/nonexistent/bench.json']);
  assert.equal(missing.status, 1);
  assert.equal(missing.err, '/nonexistent/bench.json: cannot read the rig file: no such file\n');
  const out = await cli(['rig', 'schema', '--out', '/nonexistent/dir/rig.schema.json']);
  assert.equal(out.status, 1);
  assert.equal(out.err, 'ota-hil: cannot write the schema to /nonexistent/dir/rig.schema.json: ENOENT\n');
  for (const [args, why] of [
    [['rig', 'schema', '--bogus'], /Unknown option '--bogus'/],
    [['rig', 'schema', '--out'], /--out <value>' argument missing/],
    [['rig', 'validate'], /rig validate needs a rig file/],
    [['rig'], /say validate or schema/],
  ] as const) {
    const r = await cli([...args]);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.err, why);
    noStack(r.err);
  }
});

test('rig validate warns about a console or relay named /dev/ttyUSBn, and only about those', async () => {
  const file = realRig('unused');
  const rig = JSON.parse(readFileSync(file, 'utf8'));
  rig.boards[0].console.port = { path: '/dev/ttyUSB0' };
  rig.boards[0].power = { kind: 'serial-relay', port: { path: '/dev/ttyACM3' }, channel: 1 };
  rig.boards.push({ ...rig.boards[0], name: 'esp32-pty', console: { port: { path: '/dev/pts/7' } }, power: { kind: 'manual' } });
  writeFileSync(file, JSON.stringify(rig));
  const r = await cli(['rig', 'validate', file]);
  assert.equal(r.status, 0, r.err);
  const warnings = r.out.split('\n').filter((l) => l.includes('warning:'));
  assert.deepEqual(warnings, [
    '  warning: /boards/0/console/port/path: /dev/ttyUSB0 can change number when the adapter re-enumerates; name it by byId, byPath or usb (npx ota-hil ports lists them)',
    '  warning: /boards/0/power/port/path: /dev/ttyACM3 can change number when the adapter re-enumerates; name it by byId, byPath or usb (npx ota-hil ports lists them)',
  ]);
  assert.doesNotMatch((await cli(['rig', 'validate', 'rigs/sim.json'])).out, /warning/);
  // The example's firmware files are placeholders: said, not an error.
  const example = await cli(['rig', 'validate', 'rigs/examples/bench-a.json']);
  assert.equal(example.status, 0);
  assert.deepEqual(example.out.split('\n').filter((l) => l.includes('warning:')), [
    '  warning: /images/baseline/file: ../../fw/1.4.0.bin does not exist (yet)',
    '  warning: /images/candidate/file: ../../fw/1.5.0-rc1.bin does not exist (yet)',
  ]);
});
