// Device side of mcumgr SMP on the console (Zephyr mcumgr shell/UART transport, img_mgmt and
// os_mgmt): image upload into the passive slot, image state read/write (list, test, confirm),
// echo, reset and MCUmgr parameters. The codecs are the device's own (./wire), not the harness's.
import { cborDecode, cborEncode, type Cbor } from './wire/cbor.ts';
import { SmpLineIn, buildSmp, parseSmp, smpLinesOut, type SmpHdr } from './wire/smp-serial.ts';
import { UpdateSession, errorText } from './session.ts';

type Body = Record<string, Cbor>;

const Op = { READ: 0, WRITE: 2 } as const;
const Group = { OS: 0, IMAGE: 1 } as const;
const OsCmd = { ECHO: 0, RESET: 5, MCUMGR_PARAMS: 6 } as const;
const ImgCmd = { STATE: 0, UPLOAD: 1 } as const;
/** MGMT_ERR_*: OK, EUNKNOWN, EINVAL, ENOTSUP, EBUSY. */
const Rc = { OK: 0, EUNKNOWN: 1, EINVAL: 3, ENOTSUP: 8, EBUSY: 10 } as const;
/** CONFIG_MCUMGR_TRANSPORT_NETBUF_SIZE and _COUNT at Zephyr's defaults: what cmd 6 reports. */
const NETBUF = { size: 384, count: 4 } as const;

export function startSmp(s: UpdateSession): (line: string) => Promise<boolean> {
  const { ctx, sink } = s;
  const lines = new SmpLineIn();
  let upload: { len: number; off: number } | null = null;
  let afterReply: (() => void) | null = null;

  const state = (): Body => ({
    images: (sink.slots?.() ?? []).map((x) => ({ ...x })),
    splitStatus: 0,
  });

  const imageUpload = async (b: Body): Promise<Body> => {
    const off = typeof b.off === 'number' ? b.off : -1;
    const data = b.data instanceof Uint8Array ? b.data : null;
    if (off < 0 || !data) return { rc: Rc.EINVAL };
    if (off === 0) {
      const len = typeof b.len === 'number' ? b.len : -1;
      if (len <= 0) return { rc: Rc.EINVAL };
      if (!s.claim('smp')) return { rc: Rc.EBUSY };
      upload = null;
      await sink.begin(len, b.sha instanceof Uint8Array ? { sha256: b.sha } : undefined);
      upload = { len, off: 0 };
    }
    // Out of step (a lost response, a resumed client): tell the client where to continue.
    if (!upload || off !== upload.off) return { rc: Rc.OK, off: upload?.off ?? 0 };
    if (upload.off + data.length > upload.len) return { rc: Rc.EINVAL };
    await sink.write(off, data);
    upload.off += data.length;
    if (upload.off === upload.len) {
      const done = upload.off;
      upload = null;
      s.release();
      await sink.end();
      return { rc: Rc.OK, off: done };
    }
    return { rc: Rc.OK, off: upload.off };
  };

  const imageState = async (op: number, b: Body): Promise<Body> => {
    if (op === Op.READ) return state();
    const confirm = b.confirm === true;
    const hash = b.hash instanceof Uint8Array ? b.hash : undefined;
    if (!hash) {
      if (!confirm || !sink.commit) return { rc: Rc.EINVAL };
      await sink.commit();
    } else {
      if (!sink.request) return { rc: Rc.ENOTSUP };
      await sink.request(hash, confirm);
    }
    return state();
  };

  const handle = async (h: SmpHdr, b: Body): Promise<Body> => {
    if (h.group === Group.IMAGE && h.id === ImgCmd.UPLOAD && h.op === Op.WRITE) return imageUpload(b);
    if (h.group === Group.IMAGE && h.id === ImgCmd.STATE) return imageState(h.op, b);
    if (h.group === Group.OS && h.id === OsCmd.ECHO && h.op === Op.WRITE) return { r: typeof b.d === 'string' ? b.d : '' };
    if (h.group === Group.OS && h.id === OsCmd.MCUMGR_PARAMS && h.op === Op.READ) return { buf_size: NETBUF.size, buf_count: NETBUF.count };
    if (h.group === Group.OS && h.id === OsCmd.RESET && h.op === Op.WRITE) {
      afterReply = () => {
        try {
          ctx.reset('mcumgr reset');
        } catch {
          // the reset ends this boot; its error is the boot's, not this handler's
        }
      };
      return {};
    }
    return { rc: Rc.ENOTSUP };
  };

  const onPacket = async (pkt: Uint8Array): Promise<void> => {
    const req = parseSmp(pkt);
    if (!req || (req.hdr.op !== Op.READ && req.hdr.op !== Op.WRITE)) return; // Zephyr drops what it cannot parse
    let reqBody: Cbor;
    try {
      reqBody = req.payload.length ? cborDecode(req.payload) : {};
    } catch {
      return;
    }
    if (typeof reqBody !== 'object' || reqBody === null || Array.isArray(reqBody) || reqBody instanceof Uint8Array) return;
    let body: Body;
    try {
      body = await handle(req.hdr, reqBody);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      if (upload) {
        upload = null;
        await s.abort(errorText(e));
      }
      body = { rc: Rc.EUNKNOWN, rsn: errorText(e) };
    }
    const rsp = buildSmp({ ...req.hdr, op: req.hdr.op + 1, flags: 0 }, cborEncode(body));
    for (const line of smpLinesOut(rsp)) ctx.print(line);
    const then = afterReply;
    afterReply = null;
    if (then) {
      await ctx.sleep(250); // Zephyr's os_mgmt resets after a short delay so the reply gets out
      then();
    }
  };

  return async (line: string) => {
    const got = lines.feed(line);
    if (got instanceof Uint8Array) await onPacket(got);
    return got !== null;
  };
}
