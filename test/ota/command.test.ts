// External command transport: argv substitution (never a shell), output into the console log,
// esptool progress parsed, a hold point freezing the tool, failures naming board and tool, and
// the console's port let go while a tool that opens it ({port}) runs, then taken back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { simRig, testImage } from './sim-rig.ts';
import { sinkStack } from './sink-stack.ts';
import { Console } from '../../harness/console/console.ts';
import { createTransport } from '../../harness/ota/registry.ts';
import { hasSocat } from '../helpers/pty.ts';
import { adapterUnderRoot, DeviceEnd, until } from '../console/device-end.ts';
import { fakeEsptool } from '../install/fake-esptool.ts';

const tool = path.join(import.meta.dirname, 'fixtures', 'fake-esptool.mjs');
// Guards on waits for the tool (a Node process each): a loaded host may take seconds to start one
// (5 s were too few at load 25); a passing run never waits them out.
const WAIT_MS = 30_000;
const RUN_MS = 60_000;

test('esptool-style progress drives the delivery; a hold point stops the tool until resume', async () => {
  const rig = await simRig('cmd-1', sinkStack([]), { kind: 'command', command: [process.execPath, tool, '--port', '{port}', 'write_flash', '0x10000', '{image}'], timeoutMs: RUN_MS });
  try {
    const d = await rig.transport.start(testImage(10_000));
    const p = await d.reached({ fraction: 0.3 }, { timeout: WAIT_MS });
    assert.equal(p.bytes, 3000);
    const frozen = rig.console.events.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(rig.console.events.length, frozen, 'the tool prints nothing while stopped');
    d.resume();
    assert.equal((await d.delivered({ timeout: WAIT_MS })).bytes, 10_000);
    const log = rig.console.events.map((e) => e.text);
    assert.ok(log.some((t) => t === 'ota| Writing at 0x00010bb8... (30 %)'));
    assert.ok(log.some((t) => t.startsWith(`ota: run ${process.execPath} ${tool} --port sim:cmd-1 write_flash 0x10000 /`)));
  } finally {
    await rig.close();
  }
});

test('a failing tool fails the delivery with its last words; a missing one says not installed', async () => {
  const rig = await simRig('cmd-2', sinkStack([]), { kind: 'command', command: [process.execPath, tool, '--fail', '{image}'], timeoutMs: RUN_MS });
  const missing = await simRig('cmd-3', sinkStack([]), { kind: 'command', command: ['no-such-flasher-xyz', '{image}'], timeoutMs: RUN_MS });
  try {
    const d = await rig.transport.start(testImage(100));
    await assert.rejects(d.delivered({ timeout: WAIT_MS }), /cmd-2: command: .*exited with 2: A fatal error occurred: Failed to connect to ESP8266/);
    const m = await missing.transport.start(testImage(100));
    await assert.rejects(m.delivered({ timeout: WAIT_MS }), /cmd-3: command: .*no-such-flasher-xyz is not installed/);
  } finally {
    await rig.close();
    await missing.close();
  }
});

test('rig values are arguments, never shell: metacharacters arrive verbatim', async () => {
  const rig = await simRig('cmd-4', sinkStack([]), { kind: 'command', command: [process.execPath, '-e', 'console.log("arg=" + process.argv[1])', '$(touch /tmp/ota-hil-pwned); echo {image}'], timeoutMs: RUN_MS });
  try {
    const d = await rig.transport.start(testImage(100));
    await d.delivered({ timeout: WAIT_MS });
    assert.ok(rig.console.events.some((e) => /^ota\| arg=\$\(touch \/tmp\/ota-hil-pwned\); echo \//.test(e.text)));
  } finally {
    await rig.close();
  }
});

test('a tool given {port} opens it: the console lets go of the port while it runs and takes it back', { skip: hasSocat() ? false : 'socat is not installed (apt-get install socat)' }, async () => {
  // A pseudo-terminal behind a by-id link; the stand-in esptool opens it exclusively, as pyserial does.
  const { root, byId, adapter } = adapterUnderRoot('usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0002-if00-port0');
  const dev = await DeviceEnd.open((await adapter.plug()).device);
  const con = await Console.open({ board: 'esp32-ota', port: { byId }, serialRoot: root, baudRate: 115200 });
  const fake = fakeEsptool();
  const t = createTransport({ kind: 'command', command: [fake.tool, '--port', '{port}', 'write_flash', '0x10000', '{image}'], timeoutMs: RUN_MS }, { board: 'esp32-ota', console: con, port: con.toolPath() }); // as Board.open passes it
  try {
    const d = await t.start(testImage(4096));
    assert.equal((await d.delivered({ timeout: WAIT_MS })).bytes, 4096, con.transcript());
    // The adapter holds bytes for an end until its opener has flushed (up to 2 s for one that never does).
    await until(() => dev.received.includes('esptool was here'), 10_000, 'the tool to write to the board');
    const ev = con.events.map((e) => e.text);
    const at = (re: RegExp) => ev.findIndex((e) => re.test(e));
    assert.ok(at(/^console released \(esptool uses .*by-id\/usb-Silicon_Labs/) >= 0, ev.join('\n'));
    assert.ok(at(/^ota: run .*esptool --port .*by-id\/usb-Silicon_Labs.* write_flash 0x10000 \//) > at(/^console released/), '{port} is the stable link, run after the release');
    assert.ok(at(/^ota\| Hash of data verified\.$/) > 0);
    assert.ok(at(/^console back \(\/dev\/pts\/\d+\)$/) > at(/^ota\| Hard resetting via RTS pin/), ev.join('\n'));
    // The console reads again: the reboot into the new image is there.
    await dev.write('rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n');
    await con.expect('POWERON_RESET', { timeout: WAIT_MS });
  } finally {
    await t.close();
    await con.close();
    await dev.close();
    adapter.close();
  }
});

test('a progress regex that does not compile, or has no pct group, fails start() naming the board; never an unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  const bad = await simRig('cmd-9', sinkStack([]), { kind: 'command', command: [process.execPath, tool, 'write_flash', '{image}'], progress: '(?<pct>\\d+', timeoutMs: RUN_MS });
  const nogroup = await simRig('cmd-10', sinkStack([]), { kind: 'command', command: [process.execPath, tool, 'write_flash', '{image}'], progress: '(\\d+) %', timeoutMs: RUN_MS });
  try {
    await assert.rejects(bad.transport.start(testImage(100)), /^Error: cmd-9: transport\.progress is not a valid regex: /);
    await assert.rejects(nogroup.transport.start(testImage(100)), /^Error: cmd-10: transport\.progress "\(\\\\d\+\) %" needs a named group pct/);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await bad.close();
    await nogroup.close();
  }
});
