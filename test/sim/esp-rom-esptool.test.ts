// The ESP ROM serial download mode against its real client: esptool-js (Espressif's JavaScript
// esptool, from npm) over serialport resets a simulated board into the ROM loader with DTR/RTS,
// syncs, detects the chip, writes what `esptool write_flash` writes on an erased board (ESP32:
// bootloader, partition table and app; ESP8266: the whole build at 0), checks it with the ROM's
// SPI_FLASH_MD5 where the ROM has it (ESP32), hard-resets it (RTS), and the board boots that build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ESPLoader, Transport } from 'esptool-js';
import { SimDevice } from '../../harness/sim/device.ts';
import { simStack } from '../../harness/sim/registry.ts';
import type { StackName } from '../../harness/rig/schema.ts';
import { SimBinding, attachSimPort, simPortPath } from '../../harness/console/sim-binding.ts';
import { buildBootloaderImage } from '../../harness/sim/stacks/esp-idf/app-desc.ts';
import { encodeTable } from '../../harness/sim/stacks/esp-idf/partition-table.ts';
import { BOOTLOADER_OFFSET, PARTITION_TABLE_OFFSET, layoutFor } from '../../harness/sim/stacks/esp-idf/layout.ts';
import { NodeWebSerialPort } from '../helpers/web-serial.ts';

type Files = { data: Uint8Array; address: number }[];

async function flashWithEsptool(stackName: StackName, files: (config: SimDevice['config'], app: Uint8Array) => Files, check: { chip: RegExp; md5: boolean; booted: RegExp }) {
  const name = `${stackName}-rom-${process.pid}`;
  const stack = await simStack(stackName, name);
  const device = new SimDevice(name, stack, { timeScale: 50 });
  const detach = attachSimPort(device);
  let console = '';
  device.uart.on('tx', (b) => (console += b.toString('latin1')));
  const port = new NodeWebSerialPort(simPortPath(name), SimBinding);
  try {
    device.powerOn(); // erased flash: nothing to boot
    const app = stack.buildImage({ version: '1.0.0', boot: 'ok', confirm: 'self' }, device.config);
    const list = files(device.config, app);
    const transport = new Transport(port);
    const loader = new ESPLoader({ transport, baudrate: 115200, romBaudrate: 115200, terminal: { clean: () => undefined, writeLine: () => undefined, write: () => undefined } });
    await loader.detectChip('default_reset');
    assert.match(loader.chip.CHIP_NAME, check.chip);
    await loader.writeFlash({ fileArray: list, flashSize: 'keep', flashMode: 'keep', flashFreq: 'keep', eraseAll: false, compress: false });
    if (check.md5) {
      // The ROM answers 32 ASCII hex digits (the stub 16 raw bytes); esptool-js hexes whatever it
      // gets, so its own verify fits only the stub: the digits are read back here.
      for (const f of list) {
        const padded = Buffer.concat([Buffer.from(f.data), Buffer.alloc((4 - (f.data.length % 4)) % 4, 0xff)]);
        const answer = await loader.flashMd5sum(f.address, padded.length);
        assert.equal(Buffer.from(answer, 'hex').toString('latin1'), createHash('md5').update(padded).digest('hex'), `MD5 at 0x${f.address.toString(16)}`);
      }
    }
    const mark = console.length;
    // esptool's hard reset: pulse RTS (EN low, released with GPIO0 high). esptool-js's own
    // after('hard_reset') only releases RTS, which resets nothing through an auto-reset circuit.
    await transport.setRTS(true);
    await new Promise((r) => setTimeout(r, 100));
    await transport.setRTS(false);
    await transport.disconnect();
    const deadline = Date.now() + 15_000;
    while (!check.booted.test(console.slice(mark)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(console.slice(mark), check.booted);
    assert.equal(stack.inspect(device.flash, device.config).version, '1.0.0');
    assert.equal(device.flash.stats.dirtyPrograms, 0, 'the ROM erased before it wrote');
    return { console, mark };
  } finally {
    await port.close().catch(() => undefined);
    device.powerOff();
    await device.settled();
    detach();
  }
}

test('esptool-js flashes a baseline into an erased simulated ESP32 through its ROM loader; the board then boots it', async () => {
  const { console, mark } = await flashWithEsptool(
    'esp-idf',
    (config, app) => [
      { data: buildBootloaderImage(config), address: BOOTLOADER_OFFSET },
      { data: encodeTable(layoutFor(config).table), address: PARTITION_TABLE_OFFSET },
      { data: app, address: layoutFor(config).table.find((p) => p.label === 'factory')!.offset },
    ],
    { chip: /^ESP32$/, md5: true, booted: /App version:\s+1\.0\.0/ },
  );
  assert.match(console.slice(0, mark), /boot:0x3 \(DOWNLOAD_BOOT\(UART0\/UART1\/SDIO_REI_REO_V2\)\)\r\nwaiting for download/);
  assert.match(console.slice(mark), /rst:0x1 \(POWERON_RESET\),boot:0x13 \(SPI_FAST_FLASH_BOOT\)/, 'an EN reset reads as power-on');
});

test('esptool-js flashes a simulated ESP8266 (its ROM has no MD5); the board then boots the sketch', async () => {
  const { console, mark } = await flashWithEsptool('esp8266-arduino', (_config, app) => [{ data: app, address: 0 }], {
    chip: /^ESP8266$/,
    md5: false,
    booted: /OTA-HIL Sketch 1\.0\.0/,
  });
  assert.match(console.slice(0, mark), /rst cause:2, boot mode:\(1,7\)/);
});
