// The console across power cuts, through serialport's native binding over socat pseudo-terminals:
// an adapter (powered by the board) vanishes mid-boot and comes back as a new /dev/pts node behind
// the same by-id link, which the test repoints the way udev does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoDetect } from '@serialport/bindings-cpp';
import type { BindingInterface } from '@serialport/bindings-interface';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { Console } from '../../harness/console/console.ts';
import { hasSocat } from '../helpers/pty.ts';
import { adapterUnderRoot, DeviceEnd, sleep, until } from './device-end.ts';

/**
 * How long a line the device end wrote may take to arrive: a guard, never waited out by a passing
 * run. Above the adapter's 2 s hold for an opener it has not seen flush (pty-adapter-py.ts): at 2 s,
 * 'Booting Zephyr' arrived too late once in CI with four test processes at once.
 */
const LINE_MS = 10_000;

const skip = hasSocat() ? false : 'socat is not installed (apt-get install socat)';
const gaps = (con: Console) => con.events.map((e) => e.text).filter((t) => /^console (lost|back|found|not present)/.test(t));

test('vanishes mid-boot, returns under a new path behind the same by-id link: no line after the return is lost', { skip }, async () => {
  const { root, byId, adapter } = adapterUnderRoot();
  let dev = await DeviceEnd.open((await adapter.plug()).device);
  const firstPath = adapter.current!.harness;
  // The first node is held open until the port is back: its number cannot be handed out again (a
  // pseudo-terminal takes the lowest free one, and other processes free theirs meanwhile), so the
  // port really returns under a new path.
  let held: number | undefined = openSync(firstPath, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  const con = await Console.open({ board: 'esp32-a', port: { byId }, serialRoot: root, baudRate: 115200 });
  const stale: DeviceEnd[] = [];
  try {
    assert.equal(con.path, firstPath);
    await dev.write('ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13\r\nload:0x3fff0030,len:6');
    await con.expect('rst:0x1', { timeout: LINE_MS });
    await until(() => con.rawBytes().includes('len:6'), 2000, 'the half line before the cut');

    // Power cut: the adapter's tty goes, udev drops the link.
    adapter.unplug();
    await until(() => gaps(con).length === 1, 2000, "a 'console lost' event");
    assert.match(gaps(con)[0]!, /^console lost \(/);
    // A write while the port is gone waits, then fails naming the board and the port.
    await assert.rejects(con.send('status', 200), /esp32-a: console by-id\/usb-FTDI_FT232R_USB_UART_A10KZP45-if00-port0 is gone .*waited 200 ms/);
    // One sent now (with a longer budget) goes out once the port is back.
    const pending = con.send('version', 5000);

    // Power back: a new pair, and the board prints at once, without waiting for anyone.
    stale.push(dev);
    const plug = await adapter.plug();
    closeSync(held);
    held = undefined;
    dev = await DeviceEnd.open(plug.device);
    const boot = Array.from({ length: 60 }, (_, i) => `I (${i * 7}) boot: line ${i} of the second boot`);
    await dev.write('ets Jun  8 2016 00:22:57\r\n');
    for (let i = 0; i < boot.length; i += 7) await dev.write(boot.slice(i, i + 7).join('\r\n') + '\r\n');
    await dev.write(Buffer.from([0x49, 0x20, 0xe2, 0x82])); // a UTF-8 character split across writes
    await dev.write(Buffer.from([0xac, 0x20, 0xff, 0x0d, 0x0a]));
    await con.expect(`line ${boot.length - 1} of`, { timeout: LINE_MS });
    await con.expect(/^I €/, { timeout: LINE_MS });
    await pending;
    await until(() => dev.received.includes('version\n'), 2000, 'the queued send to reach the board');

    assert.notEqual(plug.harness, firstPath, 'the port came back under a new path');
    assert.equal(con.path, plug.harness);
    assert.deepEqual(gaps(con).map((g) => g.replace(/\(.*/, '')), ['console lost ', 'console back ']);
    assert.ok(gaps(con)[1] === `console back (${plug.harness})`, gaps(con)[1]);
    const back = con.events.find((e) => e.text.startsWith('console back'))!;
    const after = con.lines.slice(back.atLine).map((l) => l.text);
    assert.deepEqual(after, ['ets Jun  8 2016 00:22:57', ...boot, 'I € �'], 'every line printed after the return, in order, nothing glued');
    const lost = con.events.find((e) => e.text.startsWith('console lost'))!;
    assert.equal(con.lines[lost.atLine - 1]!.text, 'load:0x3fff0030,len:6', 'the half line before the cut is closed at the cut');
    assert.match(con.transcript(), /## console lost \([^)]*\)\n(.*\n)*.*## console back \(\/dev\/pts\/\d+\)\n.*ets Jun/);
  } finally {
    if (held !== undefined) closeSync(held);
    await con.close();
    for (const d of [...stale, dev]) await d.close();
    adapter.close();
  }
});

/** serialport's own binding, except that a dead port's read never returns: no 'close', no 'error'. */
function silentOnDisconnect(): BindingInterface {
  const real = autoDetect();
  return {
    list: () => real.list(),
    async open(options) {
      const port = await real.open(options as never);
      return new Proxy(port, {
        get(target, key) {
          if (key === 'read') {
            return (buffer: Buffer, offset: number, length: number) =>
              target.read(buffer, offset, length).catch((e: Error & { canceled?: boolean }) => (e.canceled ? Promise.reject(e) : new Promise<never>(() => undefined)));
          }
          const v = Reflect.get(target, key, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    },
  };
}

test('a port that vanishes with no event at all is noticed by the idle probe', { skip }, async () => {
  const { root, byId, adapter } = adapterUnderRoot();
  let dev = await DeviceEnd.open((await adapter.plug()).device);
  const stale: DeviceEnd[] = [];
  // Link watching off: only the probe after a silence can notice.
  const con = await Console.open({ board: 'nrf52-b', port: { byId }, serialRoot: root, baudRate: 115200, binding: silentOnDisconnect(), reconnect: { watchMs: 0, idleProbeMs: 300 } });
  try {
    await dev.write('*** Booting Zephyr OS build v3.5.0 ***\r\n');
    await con.expect('Booting Zephyr', { timeout: LINE_MS });
    const cut = con.now();
    adapter.unplug();
    await sleep(150);
    assert.deepEqual(gaps(con), [], 'nothing noticed yet: no event came and the probe waits for a silence');
    await until(() => gaps(con).length === 1, 3000, "a 'console lost' event from the probe");
    assert.match(gaps(con)[0]!, /^console lost \(port stopped answering after \d+ ms of silence/);
    const lost = con.events.find((e) => e.text.startsWith('console lost'))!;
    assert.ok(lost.t - cut < 1500, `noticed ${Math.round(lost.t - cut)} ms after the cut`);
    stale.push(dev);
    dev = await DeviceEnd.open((await adapter.plug()).device);
    await dev.write('*** Booting Zephyr OS build v3.5.0 ***\r\nI: Starting bootloader\r\n');
    await con.expect('Starting bootloader', { timeout: LINE_MS });
    assert.match(gaps(con)[1]!, /^console back \(\/dev\/pts\/\d+\)$/);
  } finally {
    await con.close();
    for (const d of [...stale, dev]) await d.close();
    adapter.close();
  }
});

test('a port that vanishes with no event is noticed by its link going away (probe off)', { skip }, async () => {
  const { root, byId, adapter } = adapterUnderRoot();
  const dev = await DeviceEnd.open((await adapter.plug()).device);
  const con = await Console.open({ board: 'nrf52-c', port: { byId }, serialRoot: root, baudRate: 115200, binding: silentOnDisconnect(), reconnect: { watchMs: 50, idleProbeMs: 0 } });
  try {
    adapter.unplug();
    await until(() => gaps(con).length === 1, 2000, "a 'console lost' event from the link watch");
    assert.equal(gaps(con)[0], `console lost (by-id/${byId} is gone)`);
  } finally {
    await con.close();
    await dev.close();
    adapter.close();
  }
});

test('found by USB identity: comes back under whatever node the listing shows', { skip }, async () => {
  const { root, adapter } = adapterUnderRoot();
  let dev = await DeviceEnd.open((await adapter.plug()).device);
  const stale: DeviceEnd[] = [];
  const usb = { vendorId: '10c4', productId: 'ea60', serialNumber: '0001' };
  // What SerialPort.list() reports on Linux for a CP2102, with the node the adapter has now.
  const list = () => Promise.resolve(adapter.current ? [{ path: adapter.current.harness, manufacturer: 'Silicon Labs', serialNumber: '0001', pnpId: undefined, locationId: undefined, vendorId: '10c4', productId: 'ea60' }] : []);
  const con = await Console.open({ board: 'esp8266-d', port: { usb }, listPorts: list, serialRoot: root, baudRate: 74880, reconnect: { watchMs: 50 } });
  try {
    adapter.unplug();
    await until(() => gaps(con).length === 1, 2000, "a 'console lost' event");
    stale.push(dev);
    dev = await DeviceEnd.open((await adapter.plug()).device);
    await dev.write(' ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n');
    await con.expect('rst cause:2', { timeout: LINE_MS });
    assert.equal(gaps(con)[1], `console back (${adapter.current!.harness})`);
  } finally {
    await con.close();
    for (const d of [...stale, dev]) await d.close();
    adapter.close();
  }
});

test('an adapter the board powers may be absent at open: the console waits for it', { skip }, async () => {
  const { root, byId, adapter } = adapterUnderRoot();
  const con = await Console.open({ board: 'stm32-e', port: { byId }, serialRoot: root, baudRate: 115200, waitForPort: true });
  let dev: DeviceEnd | undefined;
  try {
    assert.equal(con.path, undefined);
    await assert.rejects(con.expect('anything', { timeout: 100 }), /stm32-e: no line matching anything within 100 ms \(the console port by-id\/.* is gone: by-id\/.* is not present yet\)/);
    dev = await DeviceEnd.open((await adapter.plug()).device);
    await dev.write('I: Starting bootloader\r\n');
    await con.expect('Starting bootloader', { timeout: LINE_MS });
    assert.deepEqual(gaps(con), [`console not present: by-id/${byId} is not present yet; waiting for it`, `console found (${adapter.current!.harness})`]);
  } finally {
    await con.close();
    await dev?.close();
    adapter.close();
  }
  // Without waitForPort an absent port is an error at once, naming board and port.
  await assert.rejects(Console.open({ board: 'stm32-e', port: { byId }, serialRoot: root, baudRate: 115200 }), /stm32-e: cannot open console by-id\/usb-FTDI.*: not present/);
});

test("line ending '\\r' and latin1 are honoured both ways", { skip }, async () => {
  const { root, byId, adapter } = adapterUnderRoot();
  const dev = await DeviceEnd.open((await adapter.plug()).device);
  const con = await Console.open({ board: 'legacy-f', port: { byId }, serialRoot: root, baudRate: 9600, lineEnding: '\r', encoding: 'latin1' });
  try {
    await dev.write(Buffer.from('Stra\xdfe 1\rready>\r', 'latin1'));
    await con.expect('ready>', { timeout: LINE_MS });
    assert.deepEqual(con.lines.map((l) => l.text), ['Straße 1', 'ready>']);
    await con.send('Größe');
    await until(() => dev.received.length >= 6, 2000, 'the typed line');
    assert.equal(dev.received, 'Gr\xf6\xdfe\r');
  } finally {
    await con.close();
    await dev.close();
    adapter.close();
  }
});

test('serial-open race: bytes sent as the port appears survive an open whose flush comes late (a loaded host), both ways', { skip }, async () => {
  // serialport (like pyserial) flushes the port's input right after open(). An adapter that
  // starts relaying at the open put the board's first bytes where that flush throws them away;
  // here the host is held between its open() and its flush, as a busy machine may hold it.
  const { root, byId, adapter } = adapterUnderRoot();
  const plug = await adapter.plug();
  // The board's end is opened plainly (no flush yet): a command typed now must survive its flush too.
  const boardEarly = openSync(plug.device, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  const hostEarly = openSync(adapter.link, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  writeSync(hostEarly, 'mcuboot confirm\n');
  let dev: DeviceEnd | undefined;
  let con: Console | undefined;
  try {
    await sleep(150); // the board's open, preempted before its flush
    dev = await DeviceEnd.open(plug.device);
    closeSync(boardEarly);
    await dev.write('*** Booting MCUboot v2.1.0 ***\r\n');
    await sleep(150); // the host's open, preempted before its flush
    con = await Console.open({ board: 'nrf52-r', port: { byId }, serialRoot: root, baudRate: 115200 });
    closeSync(hostEarly);
    await dev.write('I: Starting bootloader\r\n');
    await con.expect('Starting bootloader', { timeout: LINE_MS });
    assert.deepEqual(
      con.lines.map((l) => l.text),
      ['*** Booting MCUboot v2.1.0 ***', 'I: Starting bootloader'],
      'what the board printed before the harness had set its port up is there',
    );
    await until(() => dev!.received.includes('mcuboot confirm\n'), 3000, 'the command typed before the board had set its port up');
  } finally {
    await con?.close();
    await dev?.close();
    adapter.close();
  }
});
