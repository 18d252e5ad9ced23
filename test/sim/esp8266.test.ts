// The simulated ESP8266 Arduino board end to end: ESPhttpUpdate into the staging area, eboot's
// copy after ESP.restart(), refused images (signature, MD5) without a reboot, a warm reset during
// the copy (RTC memory kept: the copy restarts), a crashing sketch, and each seeded bug caught.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cleanup, final, recordOps, sleep } from './stack-kit.ts';
import { BASELINE, BANNER, CANDIDATE, UP, espBoard, settleEsp, startUpdate } from './esp8266-helpers.ts';
import { FS_START, SECTOR, roundUp } from '../../harness/sim/stacks/esp8266-arduino/layout.ts';
import { esp8266ArduinoStack } from '../../harness/sim/stacks/esp8266-arduino/index.ts';
import { SIGNATURE_LEN } from '../../harness/sim/stacks/esp8266-arduino/signing.ts';

afterEach(cleanup);

const bump = (img: Uint8Array, at = Math.floor(img.length / 2)) => {
  const c = img.slice();
  c[at] = c[at]! ^ 0x5a;
  return c;
};

test('clean update: staged below the filesystem, ESP.restart(), eboot "@cp:B0", "ld", the new sketch; a power cycle is a plain boot', async () => {
  const board = espBoard();
  const image = board.image(CANDIDATE);
  const m = await startUpdate(board, image);
  await board.waitFor(/OTA-HIL Sketch 1\.1\.0/, m, 10_000);
  await board.waitFor(UP, m);
  const log = board.since(m);
  assert.match(log, /Update Start: url:http:\/\/127\.0\.0\.1:\d+\/fw\.bin\n(?:.*\n)*?Update Success: \d+\nRebooting\.\.\.\n\n ets Jan  8 2013,rst cause:2, boot mode:\(3,6\)\n\nload 0x4010f000, len 3584, room 16 \ntail 0\nchksum 0x[0-9a-f]{2}\ncsum 0x[0-9a-f]{2}\nv[0-9a-f]{8}\n@cp:B0\nld\n\nOTA-HIL Sketch 1\.1\.0/);
  assert.deepEqual(final(board.boots(m)), ['sketch', 'swap', '1.1.0']);
  // The staged copy sits right below the filesystem; the filesystem was not touched.
  const staged = FS_START - roundUp(image.length, SECTOR);
  assert.deepEqual(board.device.flash.read(staged, 16), image.subarray(0, 16));
  assert.ok(board.device.flash.read(FS_START, SECTOR).every((b) => b === 0xff));
  assert.equal(board.device.flash.stats.dirtyPrograms, 0);
  assert.deepEqual([board.inspect().slot, board.inspect().version], ['sketch', '1.1.0']);
  const m2 = await board.powerCycle();
  await board.waitFor(UP, m2);
  assert.match(board.since(m2), /rst cause:1, boot mode:\(3,6\)[\s\S]*\n~ld\n\nOTA-HIL Sketch 1\.1\.0/);
  assert.deepEqual(final(board.boots(m2)), ['sketch', 'normal', '1.1.0']);
});

test('a corrupt image (one byte flipped, MD5 of what was sent) fails the signature: "Update error", no reboot, the command never written', async () => {
  const board = espBoard();
  const m = await startUpdate(board, bump(board.image(CANDIDATE)));
  await board.waitFor(/^Update error: Signature verification failed$/, m, 10_000);
  await sleep(50);
  assert.doesNotMatch(board.since(m), /ets Jan|Rebooting/);
  // A later warm reset finds no command in RTC memory: the baseline boots as it was.
  const m2 = board.mark();
  board.send('reboot');
  await board.waitFor(UP, m2);
  assert.match(board.since(m2), /rst cause:2[\s\S]*\n~ld\n\nOTA-HIL Sketch 1\.0\.0/);
});

test('an image whose MD5 does not match x-MD5 is refused with the core\'s MD5 message', async () => {
  const board = espBoard();
  const image = board.image(CANDIDATE);
  const wrong = createHash('md5').update('something else').digest('hex');
  const m = await startUpdate(board, image, { md5: wrong });
  const at = await board.waitFor(/^Update error: MD5 Failed/, m, 10_000);
  const actual = createHash('md5').update(image).digest('hex');
  assert.equal(board.lines[at], `Update error: MD5 Failed: expected:${wrong}, calculated:${actual}`);
  await sleep(50);
  assert.doesNotMatch(board.since(m), /ets Jan/);
});

test('unsigned build (the core default): no signature trailer; an image corrupt at its source passes the MD5 and is installed, then crashes', async () => {
  const unsigned = { firmware: { signed: false } };
  const board = espBoard(unsigned);
  const plain = board.image(CANDIDATE);
  const signedLength = espBoard().image(CANDIDATE).length;
  assert.equal(plain.length, signedLength - SIGNATURE_LEN - 4, 'the bare binary, no signature and length');
  const m = await startUpdate(board, bump(plain)); // x-MD5 of the corrupt file: it matches
  await board.waitFor(/^@cp:B?0$/, m, 10_000);
  await board.waitFor(/^Exception \(\d+\):/, m, 10_000);
  assert.doesNotMatch(board.since(m), /Update error/);
  assert.equal(board.inspect().slot, 'none', 'the sketch in flash is not one build');
});

test('unsigned build: damage in transit is still refused by the MD5, before any reboot', async () => {
  const board = espBoard({ firmware: { signed: false } });
  const image = board.image(CANDIDATE);
  const m = await startUpdate(board, bump(image), { md5: createHash('md5').update(image).digest('hex') });
  await board.waitFor(/^Update error: MD5 Failed/, m, 10_000);
  await sleep(50);
  assert.doesNotMatch(board.since(m), /ets Jan/);
});

test('mutant no-md5-check on an unsigned build: an image damaged in transit is staged and copied', async () => {
  const board = espBoard({ firmware: { signed: false }, mutant: 'no-md5-check' });
  const image = board.image(CANDIDATE);
  const m = await startUpdate(board, bump(image), { md5: createHash('md5').update(image).digest('hex') });
  await board.waitFor(/^@cp:B?0$/, m, 10_000);
  assert.doesNotMatch(board.since(m), /MD5 Failed/);
});

test('HTTP errors and an image for another flash size are refused; the sketch keeps running', async () => {
  const board = espBoard();
  const good = board.image(CANDIDATE);
  const m = await startUpdate(board, good, { status: 404 });
  await board.waitFor(/^Update error: HTTP 404/, m, 5000);
  const wrongFlash = good.slice();
  wrongFlash[3] = 0x40; // built for 4 MB
  const { serve } = await import('./stack-kit.ts');
  const s = await serve(wrongFlash, { md5: 'auto' });
  const m2 = board.mark();
  board.send(`ota ${s.url}`);
  await board.waitFor(/^Update error: Flash config wrong/, m2, 5000);
  board.send('bogus');
  await board.waitFor(/^unknown command: bogus$/, m2);
  assert.doesNotMatch(board.since(m), /ets Jan/);
});

test('a power cut mid-download leaves the sketch as it was', async () => {
  const board = espBoard();
  const image = board.image(CANDIDATE);
  const m = await startUpdate(board, image, { md5: 'auto', stallAt: Math.floor(image.length / 2) });
  await board.waitFor(/Update progress: 25%/, m, 5000);
  await board.powerOff();
  assert.deepEqual(final(await settleEsp(board)), ['sketch', 'normal', '1.0.0']);
});

/** Op number (absolute) of eboot's first copy operation: the erase of the sketch's first sector. */
async function copyOps(): Promise<{ first: number; last: number }> {
  const board = espBoard();
  const ops = recordOps(board);
  const m = await startUpdate(board, board.image(CANDIDATE));
  await board.waitFor(UP, m + 10, 10_000);
  await board.waitFor(/OTA-HIL Sketch 1\.1\.0/, m);
  await board.powerOff();
  const first = ops.find((o) => o.kind === 'erase' && o.addr === SECTOR)!;
  return { first: first.n, last: ops.at(-1)!.n };
}

test('a warm reset (RST) during the copy keeps RTC memory: eboot copies again and the new sketch boots', async () => {
  const { first, last } = await copyOps();
  const board = espBoard();
  board.resetAfterOp(first + Math.floor((last - first) / 2)); // counted from a fresh device: same ops
  const m = await startUpdate(board, board.image(CANDIDATE));
  await board.waitFor(/OTA-HIL Sketch 1\.1\.0/, m, 10_000);
  // eboot's '@cp:' of the interrupted copy never got its line end; the reset shows as a second banner.
  const log = board.since(m);
  assert.equal(log.match(/rst cause:2, boot mode/g)?.length, 2, log);
  assert.match(log, /Rebooting\.\.\.\n\n ets Jan  8 2013,rst cause:2[^@]*\n ets Jan  8 2013,rst cause:2[^@]*\n@cp:B0\nld\n\nOTA-HIL Sketch 1\.1\.0/);
  assert.equal(board.inspect().version, '1.1.0');
});

test('a sketch that crashes at start boot-loops: the parser calls it a brick (there is nothing to roll back to)', async () => {
  const board = espBoard();
  const m = await startUpdate(board, board.image({ version: '1.2.0-crash', boot: 'crash', size: 18000 }));
  await board.waitFor(/Exception \(28\):/, m, 10_000);
  await board.powerOff();
  const boots = await settleEsp(board);
  assert.deepEqual(final(boots), ['none', 'brick', '1.2.0-crash']);
  assert.ok(boots.filter((b) => b.complete).at(-1)!.notes.some((n) => /boot loop/.test(n)));
});

test('mutant no-signature-check: the corrupt image is copied and the half-right code crashes in a loop', async () => {
  const board = espBoard({ mutant: 'no-signature-check' });
  const m = await startUpdate(board, bump(board.image(CANDIDATE)));
  await board.waitFor(/^@cp:B0$/, m, 10_000);
  await board.powerOff();
  assert.doesNotMatch(board.since(m), /Update error/);
  assert.deepEqual(final(await settleEsp(board)), ['none', 'brick', null]);
  assert.equal(board.inspect().slot, 'none');
});

test('mutant command-cleared-before-copy: a warm reset during the copy boots a half-copied sketch', async () => {
  const { first, last } = await copyOps();
  const board = espBoard({ mutant: 'command-cleared-before-copy' });
  board.resetAfterOp(first + Math.floor((last - first) / 2));
  const m = await startUpdate(board, board.image(CANDIDATE));
  await board.waitFor(/rst cause:2/, m, 10_000);
  await board.waitFor(/^~ld$/, m, 5000);
  await board.powerOff();
  assert.doesNotMatch(board.since(m), /OTA-HIL Sketch 1\.1\.0/);
  assert.deepEqual(final(await settleEsp(board)), ['none', 'brick', null]);
});

test('an unknown mutant or a foreign geometry is refused by name; images too big for two copies are refused at build', () => {
  assert.throws(() => espBoard({ mutant: 'nope' }), /unknown mutant 'nope'.*no-signature-check/);
  assert.throws(() => espBoard({ sectorSize: 8192 }), /sim\.sectorSize 8192 is not configurable/);
  assert.throws(() => esp8266ArduinoStack.buildImage({ version: '9.9.9', size: 600_000 }, {}), /room for two copies/);
  assert.equal(BASELINE.version, '1.0.0');
  assert.ok(BANNER.test('OTA-HIL Sketch 1.0.0'));
});
