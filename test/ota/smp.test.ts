// mcumgr SMP over the console against the simulated MCUboot/Zephyr board: upload, list, test,
// reset, confirm; progress by acknowledged bytes, a hold point and a power cut mid-upload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mcubootStack } from '../../harness/sim/stacks/mcuboot/index.ts';
import type { SmpTransport } from '../../harness/ota/smp.ts';
import { simRig, image } from './sim-rig.ts';

const SIM = { slotSize: 131072, sectorSize: 4096, writeSize: 8, swap: 'scratch' as const };
const build = (version: string, confirm: 'self' | 'wait' = 'wait') => image('fw', version, mcubootStack.buildImage({ version, boot: 'ok', confirm, size: 20000 }, SIM));

async function booted(name: string, upgrade: 'test' | 'confirm' = 'test', requestTimeoutMs?: number) {
  const rig = await simRig(name, mcubootStack, { kind: 'smp', chunkSize: 512, upgrade, timeoutMs: 20_000, requestTimeoutMs }, SIM);
  mcubootStack.install(rig.device.flash, build('1.0.0', 'self').bytes, SIM);
  rig.device.powerOn();
  await rig.console.expect('Firmware version 1.0.0', { timeout: 5000 });
  return rig;
}

test('upload, test and reset boot the candidate; image confirm over SMP makes it stay', async () => {
  const rig = await booted('smp-1');
  try {
    const smp = rig.transport as SmpTransport;
    const img = build('1.1.0');
    const d = await rig.transport.start(img);
    const half = await d.reached({ fraction: 0.5 }, { timeout: 10_000 });
    assert.deepEqual(half, { phase: 'transferring', bytes: Math.round(img.bytes.length / 2), total: img.bytes.length });
    d.resume();
    const p = await d.delivered({ timeout: 20_000 });
    assert.equal(p.bytes, img.bytes.length);
    await rig.console.expect('Firmware version 1.1.0', { timeout: 10_000 });
    const slots = await smp.client.list();
    assert.deepEqual(slots.map((s) => [s.slot, s.version, s.active, s.confirmed]), [[0, '1.1.0', true, false], [1, '1.0.0', false, true]]);
    await smp.client.state(undefined, true); // mcumgr image confirm
    assert.equal((await smp.client.list())[0]!.confirmed, true);
    rig.device.powerOff();
    await rig.device.settled();
    rig.device.powerOn();
    await rig.console.expect('Firmware version 1.1.0', { timeout: 10_000 });
  } finally {
    await rig.close();
  }
});

test('a hold point stops the upload at an exact byte; a power cut there keeps the baseline', async () => {
  // A board without power never answers: each request is abandoned after requestTimeoutMs.
  const rig = await booted('smp-2', 'test', 1000);
  try {
    const img = build('1.1.0');
    const d = await rig.transport.start(img);
    const p = await d.reached({ bytes: 4096 }, { timeout: 10_000 });
    assert.equal(p.bytes, 4096);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(d.progress().bytes, 4096, 'nothing is uploaded past the hold point');
    rig.device.powerOff();
    await rig.device.settled();
    d.resume();
    await assert.rejects(d.delivered({ timeout: 15_000 }), /smp-2: smp: image upload at offset 4096: no response within 1000 ms \(2 tries\)/);
    rig.device.powerOn();
    await rig.console.expect('Firmware version 1.0.0', { timeout: 10_000 });
  } finally {
    await rig.close();
  }
});

test('echo round-trips and a garbage image is refused with a named error', async () => {
  const rig = await booted('smp-3');
  try {
    const smp = rig.transport as SmpTransport;
    assert.equal(await smp.client.echo('hello'), 'hello');
    const d = await rig.transport.start(image('junk', '9.9.9', new Uint8Array(3000).fill(0x42)));
    await assert.rejects(d.delivered({ timeout: 10_000 }), /smp-3: smp: .*rc=1 \(not an MCUboot image\)/);
  } finally {
    await rig.close();
  }
});
