// Device side of mcumgr SMP on the console (Zephyr mcumgr shell/UART transport, img_mgmt and
// os_mgmt): image upload into the passive slot, image state read/write (list, test, confirm),
// echo and reset. Responses are framed exactly as Zephyr frames them.
import type { CborValue } from '../../ota/proto/cbor.ts';
import { ImageId, OsId, SmpDeframer, SmpGroup, SmpOp, SmpRc, decodeSmp, encodeSmp, frameSmp, type SmpHeader } from '../../ota/proto/smp.ts';
import { UpdateSession, errorText } from './session.ts';

type Body = Record<string, CborValue>;

export function startSmp(s: UpdateSession): (line: string) => Promise<boolean> {
  const { ctx, sink } = s;
  const deframer = new SmpDeframer();
  let upload: { len: number; off: number } | null = null;
  let afterReply: (() => void) | null = null;

  const state = (): Body => ({
    images: (sink.slots?.() ?? []).map((x) => ({ ...x })),
    splitStatus: 0,
  });

  const imageUpload = async (b: Body): Promise<Body> => {
    const off = typeof b.off === 'number' ? b.off : -1;
    const data = b.data instanceof Uint8Array ? b.data : null;
    if (off < 0 || !data) return { rc: SmpRc.EINVAL };
    if (off === 0) {
      const len = typeof b.len === 'number' ? b.len : -1;
      if (len <= 0) return { rc: SmpRc.EINVAL };
      if (!s.claim('smp')) return { rc: SmpRc.EBUSY };
      upload = null;
      await sink.begin(len, b.sha instanceof Uint8Array ? { sha256: b.sha } : undefined);
      upload = { len, off: 0 };
    }
    // Out of step (a lost response, a resumed client): tell the client where to continue.
    if (!upload || off !== upload.off) return { rc: SmpRc.OK, off: upload?.off ?? 0 };
    if (upload.off + data.length > upload.len) return { rc: SmpRc.EINVAL };
    await sink.write(off, data);
    upload.off += data.length;
    if (upload.off === upload.len) {
      const done = upload.off;
      upload = null;
      s.release();
      await sink.end();
      return { rc: SmpRc.OK, off: done };
    }
    return { rc: SmpRc.OK, off: upload.off };
  };

  const imageState = async (op: number, b: Body): Promise<Body> => {
    if (op === SmpOp.READ) return state();
    const confirm = b.confirm === true;
    const hash = b.hash instanceof Uint8Array ? b.hash : undefined;
    if (!hash) {
      if (!confirm || !sink.commit) return { rc: SmpRc.EINVAL };
      await sink.commit();
    } else {
      if (!sink.request) return { rc: SmpRc.ENOTSUP };
      await sink.request(hash, confirm);
    }
    return state();
  };

  const handle = async (h: SmpHeader, b: Body): Promise<Body> => {
    if (h.group === SmpGroup.IMAGE && h.id === ImageId.UPLOAD && h.op === SmpOp.WRITE) return imageUpload(b);
    if (h.group === SmpGroup.IMAGE && h.id === ImageId.STATE) return imageState(h.op, b);
    if (h.group === SmpGroup.OS && h.id === OsId.ECHO && h.op === SmpOp.WRITE) return { r: typeof b.d === 'string' ? b.d : '' };
    if (h.group === SmpGroup.OS && h.id === OsId.RESET && h.op === SmpOp.WRITE) {
      afterReply = () => {
        try {
          ctx.reset('mcumgr reset');
        } catch {
          // the reset ends this boot; its error is the boot's, not this handler's
        }
      };
      return {};
    }
    return { rc: SmpRc.ENOTSUP };
  };

  const onPacket = async (pkt: Uint8Array): Promise<void> => {
    let req;
    try {
      req = decodeSmp(pkt);
    } catch {
      return; // Zephyr drops what it cannot parse
    }
    if (req.header.op !== SmpOp.READ && req.header.op !== SmpOp.WRITE) return;
    let body: Body;
    try {
      body = await handle(req.header, req.body);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      if (upload) {
        upload = null;
        await s.abort(errorText(e));
      }
      body = { rc: SmpRc.EUNKNOWN, rsn: errorText(e) };
    }
    const rsp = encodeSmp({ op: req.header.op + 1, version: req.header.version, group: req.header.group, id: req.header.id, seq: req.header.seq }, body);
    for (const line of frameSmp(rsp)) ctx.print(Buffer.from(line).toString('latin1'));
    const then = afterReply;
    afterReply = null;
    if (then) {
      await ctx.sleep(250); // Zephyr's os_mgmt resets after a short delay so the reply gets out
      then();
    }
  };

  return async (line: string) => {
    const packets: Uint8Array[] = [];
    const consumed = deframer.push(line, (p) => packets.push(p));
    for (const p of packets) await onPacket(p);
    return consumed;
  };
}
