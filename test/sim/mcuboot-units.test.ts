// Unit checks of the MCUboot simulator's parts against the documented formats, and of the
// device-side HTTP downloader.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NorFlash } from '../../harness/sim/flash.ts';
import { mcubootStack } from '../../harness/sim/stacks/mcuboot/index.ts';
import { layoutFor } from '../../harness/sim/stacks/mcuboot/layout.ts';
import { checkImage, parseHeader, readAppInfo, sha256 } from '../../harness/sim/stacks/mcuboot/image.ts';
import { Flag, SwapType, formatSwapState, readSwapState, trailerOffsets, trailerOff, type SwapState } from '../../harness/sim/stacks/mcuboot/trailer.ts';
import { planRegions, statusSource } from '../../harness/sim/stacks/mcuboot/swap-scratch.ts';
import { DownloadError, httpDownload } from '../../harness/sim/net/http-download.ts';
import { cleanup, serve } from './mcuboot-helpers.ts';

afterEach(cleanup);

const config = {};
const layout = layoutFor(config);

test('default layout: bootloader 48 KiB, primary at 0xc000, secondary, one scratch sector', () => {
  assert.equal(layout.primary.off, 0xc000);
  assert.equal(layout.secondary.off, 0xc000 + 0x20000);
  assert.equal(layout.scratch?.off, 0xc000 + 0x40000);
  assert.equal(layout.flashSize, 0xc000 + 0x40000 + 0x1000);
  // magic 16 + three flags and swap_size padded to 8 + 128 sectors × 3 records × 8 bytes
  assert.equal(layout.trailerSize, 16 + 32 + 3072);
  assert.equal(trailerOff(layout, layout.primary), layout.primary.off + layout.slotSize - layout.trailerSize);
  assert.deepEqual(mcubootStack.flashGeometry(config), { size: layout.flashSize, sectorSize: 4096, writeSize: 8 });
  assert.throws(() => layoutFor({ slotSize: 4096 * 200 }), /200 sectors; MCUboot allows at most 128/);
  assert.throws(() => layoutFor({ writeSize: 16 }), /writeSize must be 1, 2, 4 or 8/);
  assert.throws(() => layoutFor({ sectorSize: 1024 }), /trailer does not fit one sector/);
});

test('buildImage writes a real MCUboot header, body descriptor and SHA256 TLV', () => {
  const img = mcubootStack.buildImage({ version: '1.2.3-rc1', boot: 'crash', size: 1000 }, config);
  const h = parseHeader(img);
  assert.equal(h.magic, 0x96f3b83d);
  assert.equal(h.hdrSize, 0x200, 'padded to 0x200 as imgtool --header-size 0x200 does for Zephyr');
  assert.ok(img.subarray(32, 0x200).every((b) => b === 0), 'the padding is zeros');
  assert.equal(h.protectTlvSize, 0);
  assert.equal(h.imgSize, 1000);
  assert.deepEqual(h.version, { major: 1, minor: 2, revision: 3, build: 0 });
  const dv = new DataView(img.buffer);
  const tlv = 0x200 + 1000;
  assert.equal(dv.getUint16(tlv, true), 0x6907);
  assert.equal(dv.getUint16(tlv + 2, true), 40);
  assert.equal(dv.getUint16(tlv + 4, true), 0x10);
  assert.equal(dv.getUint16(tlv + 6, true), 32);
  assert.deepEqual(Buffer.from(img.subarray(tlv + 8, tlv + 40)), Buffer.from(sha256(img.subarray(0, tlv))));
  assert.equal(img.length, tlv + 40);
  assert.equal(parseHeader(mcubootStack.buildImage({ version: '1.0.0', size: 1000 }, { imageHeaderSize: 32 })).hdrSize, 32, 'the header size is configurable');
  assert.deepEqual(mcubootStack.buildImage({ version: '1.2.3-rc1', boot: 'crash', size: 1000 }, config), img, 'deterministic');
  assert.throws(() => mcubootStack.buildImage({ version: '1.0.0', size: layout.maxImageSize }, config), /do not fit the 131072-byte slot minus its 3120-byte trailer/);
  assert.throws(() => mcubootStack.buildImage({ version: 'banana' }, config), /version 'banana'/);
  assert.throws(() => mcubootStack.buildImage({ version: '256.0.0' }, config), /does not fit ih_ver/);
});

test('install + inspect: the body tells the app what to do; a flipped byte fails the hash', () => {
  const f = new NorFlash(mcubootStack.flashGeometry(config));
  mcubootStack.install(f, mcubootStack.buildImage({ version: '2.0.0-beta', confirm: 'self' }, config), config);
  assert.deepEqual(readAppInfo(f, layout.primary.off, layout.maxImageSize), { version: '2.0.0-beta', boot: 'ok', confirm: 'self' });
  const v = mcubootStack.inspect(f, config);
  assert.equal(v.slot, 'primary');
  assert.equal(v.version, '2.0.0-beta');
  assert.match(v.detail, /primary v2\.0\.0 \(2\.0\.0-beta\) hash ok.*magic=unset/);
  assert.ok(f.read(trailerOff(layout, layout.primary), layout.trailerSize).every((b) => b === 0xff), 'trailer left erased');
  f.program(layout.primary.off + 30000, new Uint8Array(8)); // clear bits inside the body
  assert.deepEqual(checkImage(f, layout.primary.off, layout.maxImageSize), {
    ok: false,
    erased: false,
    reason: 'SHA256 mismatch',
    header: parseHeader(f.read(layout.primary.off, 32)),
  });
  const bad = mcubootStack.inspect(f, config);
  assert.equal(bad.slot, 'none');
  assert.equal(bad.version, null);
  assert.match(bad.detail, /SHA256 mismatch/);
});

test('trailer decoding is lossy: only 0x01 is set, erased is unset, anything else is bad', () => {
  const f = new NorFlash(mcubootStack.flashGeometry(config));
  const area = layout.secondary;
  const put = (addr: number, v: number) => f.program(addr, Uint8Array.of(v, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
  assert.equal(formatSwapState('Secondary image', readSwapState(f, area)), 'Secondary image: magic=unset, swap_type=0x1, copy_done=0x3, image_ok=0x3');
  put(trailerOffsets.imageOkOff(area), 0x01);
  put(trailerOffsets.copyDoneOff(area), 0x00);
  put(trailerOffsets.swapInfoOff(area), 0x12); // TEST for image 1
  const s = readSwapState(f, area);
  assert.deepEqual([s.imageOk, s.copyDone, s.swapType, s.imageNum], [Flag.SET, Flag.BAD, SwapType.TEST, 1]);
  // Half a magic (a torn write) is bad, not good and not unset.
  f.program(trailerOffsets.magicOff(area), Uint8Array.of(0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 255, 255, 255, 255, 255, 255, 255, 255));
  assert.equal(readSwapState(f, area).magic, 'bad');
  // swap_info above REVERT decodes as NONE.
  put(trailerOffsets.swapInfoOff(layout.primary), 0x05);
  assert.equal(readSwapState(f, layout.primary).swapType, SwapType.NONE);
  // A low nibble of 0 is not erased and not above REVERT: bootutil keeps it, and logs swap_type=0x0.
  put(trailerOffsets.swapInfoOff(layout.scratch!), 0x00);
  assert.equal(readSwapState(f, layout.scratch!).swapType, SwapType.NONE, 'decided on as no swap');
  assert.match(formatSwapState('Scratch', readSwapState(f, layout.scratch!)), /^Scratch: magic=unset, swap_type=0x0, /);
});

test('status source table: scratch wins over a finished-looking primary', () => {
  const st = (magic: SwapState['magic'], copyDone: Flag): SwapState => ({ magic, copyDone, imageOk: Flag.UNSET, swapType: SwapType.NONE, swapTypeLogged: SwapType.NONE, imageNum: 0 });
  const unset = st('unset', Flag.UNSET);
  assert.equal(statusSource(st('good', Flag.SET), unset), 'none');
  assert.equal(statusSource(st('good', Flag.UNSET), st('bad', Flag.BAD)), 'primary');
  assert.equal(statusSource(st('good', Flag.SET), st('good', Flag.UNSET)), 'scratch');
  assert.equal(statusSource(st('bad', Flag.BAD), st('good', Flag.UNSET)), 'scratch');
  assert.equal(statusSource(unset, unset), 'primary');
  assert.equal(statusSource(st('bad', Flag.UNSET), unset), 'none');
});

test('swap regions (find_last_sector_idx): only sectors holding image bytes, downwards; the trailer sector only when the image reaches it', () => {
  assert.deepEqual(planRegions(layout, 40072), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  assert.deepEqual(planRegions(layout, layout.maxImageSize), Array.from({ length: 32 }, (_, i) => 31 - i));
  assert.deepEqual(planRegions(layout, 0), []);
});

test('http-download streams chunks in order and waits for the callback', async () => {
  const body = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff);
  const server = await serve(body);
  const got: Uint8Array[] = [];
  let busy = false;
  const r = await httpDownload(server.url, {
    onStart: (s) => assert.deepEqual([s.status, s.contentLength], [200, 100_000]),
    onChunk: async (c) => {
      assert.ok(!busy, 'chunks overlap');
      busy = true;
      got.push(c.slice());
      await new Promise((res) => setTimeout(res, 1));
      busy = false;
    },
  });
  assert.deepEqual(r, { status: 200, bytes: 100_000, contentLength: 100_000 });
  assert.deepEqual(Buffer.concat(got), Buffer.from(body));
});

test('http-download: aborting the signal kills the socket and rejects with the reason', async () => {
  let closed = false;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-length': 1_000_000 });
    res.write(Buffer.alloc(1000));
    res.on('close', () => (closed = true));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const ac = new AbortController();
  const reason = new Error('power lost');
  const p = httpDownload(`http://127.0.0.1:${port}/x`, { signal: ac.signal, onChunk: () => ac.abort(reason) });
  await assert.rejects(p, (e) => e === reason);
  for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(closed, 'the server saw the connection die');
  await new Promise<void>((r) => server.close(() => r()));
});

test('http-download reports HTTP errors, truncation, bad URLs and callback errors distinctly', async () => {
  const missing = await serve(new Uint8Array(10), { status: 404 });
  await assert.rejects(httpDownload(missing.url, { onChunk: () => undefined }), (e) => e instanceof DownloadError && e.kind === 'http-status' && e.status === 404);
  const cut = await serve(new Uint8Array(50_000), { dropAt: 20_000 });
  await assert.rejects(httpDownload(cut.url, { onChunk: () => undefined }), (e) => e instanceof DownloadError && ['truncated', 'network'].includes(e.kind));
  await assert.rejects(httpDownload('https://127.0.0.1/x', { onChunk: () => undefined }), (e) => e instanceof DownloadError && e.kind === 'bad-url');
  const ok = await serve(new Uint8Array(10_000));
  const mine = new Error('flash fault');
  await assert.rejects(httpDownload(ok.url, { onChunk: () => Promise.reject(mine) }), (e) => e === mine);
  await assert.rejects(httpDownload(ok.url, { maxBytes: 100, onChunk: () => undefined }), (e) => e instanceof DownloadError && e.kind === 'too-large');
});
