// A stand-in for esptool.py written to a temp dir: a Node program that opens the serial port it is
// given with serialport (flock, as esptool's pyserial exclusive open), so it fails with "port is
// busy" while the console still holds the port. It prints esptool's output (progress redrawn
// with '\r'), writes a line into the port, and records its argv. A marker file `fail` in its
// directory makes it fail the way esptool does. `hung` is one that hangs after connecting, holding
// the port: a shell script, so that it gets there in milliseconds and a short timeout can kill it.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export function fakeEsptool(): { dir: string; tool: string; hung: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ota-hil-esptool-'));
  const serialport = pathToFileURL(createRequire(import.meta.url).resolve('serialport')).href;
  const tool = path.join(dir, 'esptool');
  writeFileSync(
    tool,
    `#!${process.execPath}
import { SerialPort } from ${JSON.stringify(serialport)};
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
const D = ${JSON.stringify(dir)};
const args = process.argv.slice(2);
appendFileSync(D + '/esptool.argv', JSON.stringify(args) + '\\n');
const port = args[args.indexOf('--port') + 1];
const image = args[args.length - 1];
console.log('esptool.py v4.7.0');
console.log('Serial port ' + port);
const sp = new SerialPort({ path: port, baudRate: 115200, autoOpen: false });
try {
  await new Promise((res, rej) => sp.open((e) => (e ? rej(e) : res())));
} catch (e) {
  console.log('A fatal error occurred: Could not open ' + port + ', the port is busy or doesn\\'t exist. (' + e.message + ')');
  process.exit(2);
}
console.log('Connecting....');
const size = readFileSync(image).length;
console.log('Chip is ESP32-D0WD-V3 (revision v3.0)');
for (const pct of [0, 50, 100]) process.stdout.write('Writing at 0x' + (0x10000 + Math.floor((pct * size) / 100)).toString(16).padStart(8, '0') + '... (' + pct + ' %)\\r');
process.stdout.write('\\n');
if (existsSync(D + '/fail')) {
  console.error('A fatal error occurred: Failed to connect to ESP32: No serial data received.');
  process.exit(2);
}
console.log('Wrote ' + size + ' bytes at 0x00010000');
console.log('Hash of data verified.');
console.log('Hard resetting via RTS pin...');
await new Promise((r) => sp.write('esptool was here\\n', () => sp.drain(r)));
await new Promise((r) => sp.close(r));
`,
  );
  chmodSync(tool, 0o755);
  mkdirSync(path.join(dir, 'hung'));
  const hung = path.join(dir, 'hung', 'esptool');
  writeFileSync(
    hung,
    `#!/bin/sh
for a; do [ "$prev" = --port ] && port=$a; prev=$a; done
echo 'esptool.py v4.7.0'
echo "Serial port $port"
exec 3<>"$port"
flock -n 3 || { echo "A fatal error occurred: Could not open $port, the port is busy"; exit 2; }
echo 'Connecting....'
exec sleep 600
`,
  );
  chmodSync(hung, 0o755);
  return { dir, tool, hung };
}
