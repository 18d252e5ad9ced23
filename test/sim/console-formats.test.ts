// Simulated boards print the console formats of real builds (rig sim.logFormat) and the parsers read
// them through the format layer: MCUboot in Zephyr's minimal and full log and as an RTT capture;
// ESP-IDF plain, in colour, and with a silent bootloader whose app names its partition.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Board as KitBoard, cleanup, serve } from './stack-kit.ts';
import { mcubootStack } from '../../harness/sim/stacks/mcuboot/index.ts';
import { BASELINE, Board as IdfBoard, CANDIDATE, nextApp, startOta } from './esp-idf-helpers.ts';
import type { SimLogFormat } from '../../harness/rig/schema.ts';

after(cleanup);

const shape = (b: { slot: string | null; event: string; version: string | null }) => `${b.slot} ${b.event} ${b.version}`;

for (const [format, looks] of [
  ['zephyr-minimal', /^I: Starting bootloader$/],
  ['zephyr-full', /^\[\d{2}:\d{2}:\d{2}\.\d{3},\d{3}\] <inf> mcuboot: Starting bootloader$/],
  ['rtt', /^00> I: Starting bootloader$/],
] as const) {
  void test(`mcuboot board printing ${format}: the first boot reads as primary, normal, 1.0.0`, async () => {
    const board = new KitBoard(mcubootStack, { logFormat: format });
    board.install({ version: '1.0.0', boot: 'ok', confirm: 'self' });
    board.device.powerOn();
    await board.waitFor(/Firmware version 1\.0\.0/);
    assert.ok(board.lines.some((l) => looks.test(l)), `no line like ${String(looks)}:\n${board.lines.join('\n')}`);
    assert.deepEqual(board.boots().map(shape), ['primary normal 1.0.0']);
    await board.powerOff();
  });
}

for (const [format, check] of [
  ['esp-idf-colour', (lines: string[]) => lines.some((l) => l.startsWith('\x1b[0;32mI (') && l.endsWith('\x1b[0m'))],
  ['esp-idf-silent', (lines: string[]) => !lines.some((l) => /^[EWI] \(\d+\) boot: /.test(l)) && lines.some((l) => /^entry 0x/.test(l))],
] as [SimLogFormat, (l: string[]) => boolean][]) {
  void test(`esp-idf board printing ${format}: baseline then a trial of the candidate, slots named`, async () => {
    const board = new IdfBoard({ logFormat: format });
    const server = await serve(board.image(CANDIDATE));
    const m = await startOta(board, BASELINE, server.url);
    await nextApp(board, m, 20_000);
    assert.ok(check(board.lines), board.lines.join('\n'));
    assert.deepEqual(board.boots().map(shape), ['factory normal 1.0.0', 'ota_0 trial 1.1.0']);
    await board.powerOff();
    await server.close();
  });
}
