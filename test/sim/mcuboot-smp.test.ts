// mcumgr over the console against the simulated MCUboot app: image upload into the secondary
// slot, image list, image test, reset into the trial, image confirm.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Board, BASELINE, CANDIDATE, cleanup } from './mcuboot-helpers.ts';
import { ImageId, OsId, SmpDeframer, SmpGroup, SmpOp, decodeSmp, encodeSmp, frameSmp } from '../../harness/ota/proto/smp.ts';
import type { CborValue } from '../../harness/ota/proto/cbor.ts';

afterEach(cleanup);

type Body = Record<string, CborValue>;
interface Slot {
  slot: number;
  version: string;
  hash: Uint8Array;
  pending: boolean;
  confirmed: boolean;
  active: boolean;
}

/** A minimal mcumgr client on the board's console. */
class Mcumgr {
  private seq = 0;
  constructor(private readonly board: Board) {}

  async request(op: number, group: number, id: number, body: Body): Promise<Body> {
    const seq = this.seq++ & 0xff;
    const from = this.board.mark();
    for (const line of frameSmp(encodeSmp({ op, group, id, seq }, body))) this.board.device.receive(Buffer.concat([Buffer.from(line), Buffer.from('\n')]));
    const deframer = new SmpDeframer();
    let reply: Body | null = null;
    let i = from;
    const end = Date.now() + 5000;
    while (!reply) {
      for (; i < this.board.lines.length; i++) {
        deframer.push(this.board.lines[i]!, (pkt) => {
          const { header, body: b } = decodeSmp(pkt);
          if (header.seq === seq && header.op === op + 1) reply = b;
        });
      }
      if (Date.now() > end) throw new Error(`no SMP reply to seq ${seq}:\n${this.board.since(from)}`);
      if (!reply) await new Promise((r) => setTimeout(r, 1));
    }
    return reply;
  }

  async upload(image: Uint8Array, chunk = 400): Promise<void> {
    const sha = createHash('sha256').update(image).digest();
    for (let off = 0; off < image.length; ) {
      const data = image.subarray(off, off + chunk);
      const body: Body = off === 0 ? { image: 0, len: image.length, off, sha: Uint8Array.from(sha), data } : { off, data };
      const rsp = await this.request(SmpOp.WRITE, SmpGroup.IMAGE, ImageId.UPLOAD, body);
      assert.equal(rsp.rc ?? 0, 0, `upload at ${off}: ${JSON.stringify(rsp)}`);
      off = rsp.off as number;
    }
  }

  async list(): Promise<Slot[]> {
    const rsp = await this.request(SmpOp.READ, SmpGroup.IMAGE, ImageId.STATE, {});
    return rsp.images as unknown as Slot[];
  }
}

test('mcumgr: upload, image test, reset into the trial, image confirm', async () => {
  const board = new Board();
  board.install(BASELINE);
  const candidate = board.image(CANDIDATE);
  board.device.powerOn();
  await board.waitFor(/Firmware version 1\.1\.0/);
  const mgr = new Mcumgr(board);

  await mgr.upload(candidate);
  let slots = await mgr.list();
  assert.deepEqual(
    slots.map((s) => [s.slot, s.version, s.active, s.confirmed, s.pending]),
    [
      [0, '1.1.0', true, true, false],
      [1, '1.2.0', false, false, false],
    ],
  );
  // The mcumgr hash is the image's SHA256 TLV.
  const tlvHash = candidate.subarray(candidate.length - 32);
  assert.deepEqual(Buffer.from(slots[1]!.hash), Buffer.from(tlvHash));

  slots = (await mgr.request(SmpOp.WRITE, SmpGroup.IMAGE, ImageId.STATE, { hash: slots[1]!.hash, confirm: false })).images as unknown as Slot[];
  assert.equal(slots[1]!.pending, true);

  const m = board.mark();
  await mgr.request(SmpOp.WRITE, SmpGroup.OS, OsId.RESET, {});
  await board.waitFor(/Firmware version 1\.2\.0/, m);
  assert.match(board.since(m), /Swap type: test/);

  slots = await mgr.list();
  assert.deepEqual(
    slots.map((s) => [s.slot, s.version, s.active, s.confirmed]),
    [
      [0, '1.2.0', true, false],
      [1, '1.1.0', false, true], // a revert would bring it back
    ],
  );
  const m2 = board.mark();
  await mgr.request(SmpOp.WRITE, SmpGroup.IMAGE, ImageId.STATE, { confirm: true });
  await board.waitFor(/<inf> app: Image confirmed/, m2);
  slots = await mgr.list();
  assert.equal(slots[0]!.confirmed, true);
  await board.powerOff();
  const m3 = board.mark();
  board.device.powerOn();
  await board.waitFor(/Firmware version/, m3);
  assert.match(board.since(m3), /Swap type: none[\s\S]*Firmware version 1\.2\.0/);
});

test('mcumgr: an upload that does not match its SHA256 is refused and nothing is requested', async () => {
  const board = new Board();
  board.install(BASELINE);
  board.device.powerOn();
  await board.waitFor(/Firmware version 1\.1\.0/);
  const mgr = new Mcumgr(board);
  const image = board.image(CANDIDATE);
  const sha = createHash('sha256').update(image).digest();
  const bad = image.slice();
  bad[1000] = bad[1000]! ^ 0xff;
  let off = 0;
  let last: Body = {};
  while (off < bad.length) {
    const data = bad.subarray(off, off + 400);
    last = await mgr.request(SmpOp.WRITE, SmpGroup.IMAGE, ImageId.UPLOAD, off === 0 ? { image: 0, len: bad.length, off, sha: Uint8Array.from(sha), data } : { off, data });
    if (last.rc) break;
    off = last.off as number;
  }
  assert.notEqual(last.rc ?? 0, 0, 'the final chunk is refused');
  assert.match(typeof last.rsn === 'string' ? last.rsn : '', /SHA256/);
});

test('mcumgr: MCUmgr parameters (OS group, command 6) report the SMP buffer size and count; unknown commands ENOTSUP', async () => {
  const board = new Board();
  board.install(BASELINE);
  board.device.powerOn();
  await board.waitFor(/Firmware version 1\.1\.0/);
  const mcumgr = new Mcumgr(board);
  assert.deepEqual(await mcumgr.request(SmpOp.READ, SmpGroup.OS, 6, {}), { buf_size: 384, buf_count: 4 });
  assert.deepEqual(await mcumgr.request(SmpOp.READ, SmpGroup.OS, 7, {}), { rc: 8 });
});
