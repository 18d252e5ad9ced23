// The HTTP-pull transport against a simulated board that really downloads over loopback,
// with the console reached through serialport and the sim binding, as in a scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { SimDevice } from '../../harness/sim/device.ts';
import type { DeviceContext } from '../../harness/sim/stack.ts';
import { standInStack } from '../helpers/stand-in-stack.ts';
import { Console } from '../../harness/console/console.ts';
import { SimBinding, attachSimPort, simPortPath } from '../../harness/console/sim-binding.ts';
import { HttpPullTransport } from '../../harness/ota/http-pull.ts';
import type { FirmwareImage } from '../../harness/fixtures/images.ts';

/** A minimal device: prints a banner, downloads on "ota URL" and reports what it got. */
const downloader = standInStack('mcuboot', async (ctx: DeviceContext) => {
  ctx.print('peer: ready');
  for (;;) {
    const line = await ctx.readLine();
    // `later <url>`: a board that answers the command but never fetches.
    if (line.startsWith('later ')) ctx.print(`peer: fetching ${line.slice(6)}`);
    const url = /^ota (\S+)/.exec(line)?.[1];
    if (!url) continue;
    ctx.print(`peer: fetching ${url}`);
    const body = await new Promise<Buffer>((resolve, reject) => {
      http.get(url, { signal: ctx.signal }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve(Buffer.concat(parts)));
        res.on('error', reject);
      }).on('error', reject);
    });
    ctx.print(`peer: got ${body.length} bytes sha256=${createHash('sha256').update(body).digest('hex')}`);
  }
});

async function rig(name: string, consoleCommand = 'ota {url}') {
  const device = new SimDevice(name, downloader, { timeScale: 1000 });
  const detach = attachSimPort(device);
  const console = await Console.open({ board: name, path: simPortPath(name), baudRate: 115200, binding: SimBinding });
  const transport = new HttpPullTransport({ kind: 'http-pull', trigger: { consoleCommand, expect: '^peer: fetching ', timeoutMs: 1000 }, timeoutMs: 5000 }, name, console);
  device.powerOn();
  await console.expect('peer: ready', { timeout: 2000 });
  const close = async () => {
    await transport.close();
    device.powerOff();
    await console.close();
    detach();
  };
  return { device, console, transport, close };
}

const image = (size: number): FirmwareImage => {
  const bytes = new Uint8Array(size).map((_, i) => (i * 31 + 7) & 0xff);
  return { name: 'candidate', version: '1.1.0', bytes, corrupted: () => assert.fail('unused') };
};

test('delivers every byte and reports progress by bytes served', async () => {
  const { console, transport, close } = await rig('pull-1');
  try {
    const img = image(50_000);
    const d = await transport.start(img);
    const p = await d.delivered({ timeout: 5000 });
    assert.deepEqual(p, { phase: 'delivered', bytes: 50_000, total: 50_000 });
    const line = await console.expect(/peer: got/, { timeout: 5000 });
    assert.equal(line.text, `peer: got 50000 bytes sha256=${createHash('sha256').update(img.bytes).digest('hex')}`);
  } finally {
    await close();
  }
});

test('a hold point stops the body at an exact byte; a power cut then fails the delivery', async () => {
  const { device, transport, close } = await rig('pull-2');
  try {
    const d = await transport.start(image(40_000));
    const p = await d.reached({ fraction: 0.25 }, { timeout: 5000 });
    assert.equal(p.bytes, 10_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(d.progress().bytes, 10_000, 'nothing may be served past the hold point');
    device.powerOff();
    await assert.rejects(d.delivered({ timeout: 5000 }), /pull-2: http-pull: .*connection closed by the board after 10000\/40000 bytes/);
  } finally {
    await close();
  }
});

test('a board that never asks for the image times out naming the board; one that does not answer the command fails at start', async () => {
  const { device, transport, close } = await rig('pull-3', 'later {url}');
  try {
    const d = await transport.start(image(1000));
    await assert.rejects(d.delivered({ timeout: 300 }), /pull-3: http-pull: waiting for the whole image served: timed out after 300 ms .*never requested/);
    device.powerOff();
    await assert.rejects(transport.start(image(1000)), /^Error: pull-3: update command "later http:\/\/\S+" not acknowledged within 1000 ms \(no line matching \/\^peer: fetching \/\)/);
  } finally {
    await close();
  }
});
