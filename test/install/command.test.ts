// The command installer against a fake esptool that opens the board's port itself, over a socat
// pseudo-terminal behind a by-id link: the console must let go of the port while the tool
// flashes and come back after, the tool's output lands in the console log, and timeouts, failures
// and missing tools are errors that name the board and the tool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { Console } from '../../harness/console/console.ts';
import { createInstaller } from '../../harness/install/registry.ts';
import type { FirmwareImage } from '../../harness/fixtures/images.ts';
import { hasSocat } from '../helpers/pty.ts';
import { adapterUnderRoot, DeviceEnd, until } from '../console/device-end.ts';
import { fakeEsptool } from './fake-esptool.ts';

const skip = hasSocat() ? false : 'socat is not installed (apt-get install socat)';

const image: FirmwareImage = { name: 'baseline', version: '1.0.0', bytes: new Uint8Array(4096).fill(0xe9), corrupted: () => image };
const ESPTOOL_ARGS = ['--chip', 'esp32', '--port', '{port}', '--baud', '460800', 'write_flash', '0x10000', '{image}'];

async function bench() {
  const { root, byId, adapter } = adapterUnderRoot('usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001-if00-port0');
  const dev = await DeviceEnd.open((await adapter.plug()).device);
  const con = await Console.open({ board: 'esp32-a', port: { byId }, serialRoot: root, baudRate: 115200 });
  const fake = fakeEsptool();
  const installer = (timeoutMs = 10_000, tool = fake.tool) =>
    createInstaller({ kind: 'command', command: [tool, ...ESPTOOL_ARGS], timeoutMs }, { board: 'esp32-a', port: '/dev/unused', console: con, log: (l) => con.note(l) });
  const link = path.join(root, 'by-id', byId);
  return { con, dev, fake, installer, link, done: async () => (await con.close(), await dev.close(), adapter.close()) };
}

const events = (con: Console) => con.events.map((e) => e.text);

test('esptool flashes through the port the console released, and the console comes back', { skip }, async () => {
  const b = await bench();
  try {
    // The stand-in really needs the port: run by hand while the console holds it, it fails.
    const held = await execa(b.fake.tool, ['--port', b.link, 'write_flash', '0x10000', '/dev/null'], { reject: false, all: true });
    assert.equal(held.exitCode, 2);
    assert.match(held.all, /the port is busy/);

    await b.installer().install(image);
    const argv = readFileSync(path.join(b.fake.dir, 'esptool.argv'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    const ours = argv.at(-1)!;
    assert.equal(ours[ours.indexOf('--port') + 1], b.link, '{port} is the stable link');
    assert.match(ours.at(-1)!, /baseline-1\.0\.0\.bin$/);
    assert.equal(existsSync(ours.at(-1)!), false, 'the temporary image is removed');
    await until(() => b.dev.received.includes('esptool was here'), 2000, 'the tool to write to the board');

    const ev = events(b.con);
    const at = (re: RegExp) => ev.findIndex((e) => re.test(e));
    assert.ok(at(/^console released \(esptool uses .*by-id\/usb-Silicon_Labs/) >= 0, ev.join('\n'));
    assert.ok(at(/^install: .*esptool --chip esp32 --port /) > at(/^console released/));
    assert.ok(at(/^install\| Writing at 0x00010000\.\.\. \(0 %\)$/) > 0, 'progress redraws are lines');
    assert.ok(at(/^install\| Writing at 0x00010800\.\.\. \(50 %\)$/) > 0);
    assert.ok(at(/^install\| Hash of data verified\.$/) > 0);
    assert.ok(at(/^console back \(\/dev\/pts\/\d+\)$/) > at(/^install: esptool done in \d+\.\d s$/));
    // The console reads again: what the board prints after the flash is there.
    await b.dev.write('rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n');
    await b.con.expect('POWERON_RESET', { timeout: 2000 });
  } finally {
    await b.done();
  }
});

test('a failing tool: the error names board and tool with its last output; the console is back', { skip }, async () => {
  const b = await bench();
  writeFileSync(path.join(b.fake.dir, 'fail'), '');
  try {
    await assert.rejects(b.installer().install(image), /^Error: esp32-a: esptool failed \(exit 2\) after \d+\.\d s; its last output:\n(.*\n)*\s+A fatal error occurred: Failed to connect to ESP32: No serial data received\.$/);
    assert.ok(b.con.connected);
    assert.match(events(b.con).at(-1)!, /^console back/);
  } finally {
    await b.done();
  }
});

test('a hung tool is killed at the timeout; the error says so and the console is back', { skip }, async () => {
  const b = await bench();
  try {
    const t0 = performance.now();
    // 1 s: the hung stand-in (a shell script) has opened the port and printed within milliseconds,
    // also on a loaded machine. No upper bound on the time taken: the error can only come from the
    // timeout's kill, and a tool left hanging would hang the test.
    await assert.rejects(b.installer(1000, b.fake.hung).install(image), /esp32-a: esptool did not finish within 1000 ms and was killed; its last output:\n(.*\n)*\s+Connecting\.\.\.\.$/);
    assert.ok(performance.now() - t0 >= 1000, 'not killed before its time');
    assert.ok(b.con.connected, 'the console took the port back after the kill');
  } finally {
    await b.done();
  }
});

test('a tool that is not installed: an error naming it, and the console never lets go', { skip }, async () => {
  const b = await bench();
  const path0 = process.env.PATH;
  process.env.PATH = b.fake.dir; // nothing but the fake: no nrfjprog here
  try {
    await assert.rejects(b.installer(10_000, 'nrfjprog').install(image), /^Error: esp32-a: install tool "nrfjprog" is not installed \(not found on PATH\); install it with: Nordic's nRF Command Line Tools/);
    assert.equal(events(b.con).some((e) => e.startsWith('console released')), false);
  } finally {
    process.env.PATH = path0;
    await b.done();
  }
});
