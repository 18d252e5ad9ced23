// Device side of Mongoose OS RPC over the console (mgos_rpc_channel_uart.c, rpc-service-ota):
// the EOF handshake, then OTA.Begin / OTA.Write / OTA.End (what `mos ota` sends), OTA.Status,
// OTA.Update {url} (downloads over HTTP), OTA.Commit / OTA.Revert / OTA.GetBootState. Frames are
// `"""`-delimited or newline-terminated (./wire/mos-uart.ts, the device's own codec). The OTA
// service itself (mosOtaService) is channel-free: RPC over MQTT (../cloud/rpc.ts) serves it too.
import { httpDownload } from '../net/http-download.ts';
import { MosUartChannel } from './wire/mos-uart.ts';
import { UpdateSession, errorText } from './session.ts';

/** What mg_rpc reads from a call; the reply echoes id and swaps src/dst. */
export type Call = { id?: number; src?: string; method?: string; args?: unknown };

type Handler = (args: Record<string, unknown>) => Promise<unknown>;

/** The OTA service of one boot, whichever channel carries its calls (console, MQTT). */
export interface MosOtaService {
  /** Answer one call through `send`, then run what must follow the reply (the reboot after OTA.End). */
  dispatch(req: Call, send: (rsp: string) => void): Promise<void>;
}

export function mosOtaService(s: UpdateSession, src: string, extra: Record<string, Handler> = {}): MosOtaService {
  const { ctx, sink } = s;
  let offset = 0;
  let size = 0;
  let state = 0; // OTA.Status: IDLE 0, PROGRESS 1, ERROR 2, SUCCESS 3
  let afterReply: (() => void) | null = null;

  const handlers: Record<string, Handler> = {
    ...extra,
    'OTA.Status': () => Promise.resolve({ state }),
    'OTA.Begin': async (a) => {
      if (!s.claim('mos-rpc')) throw new Error(`an update over ${s.busy} is in progress`);
      size = Number(a.size ?? 0);
      if (!(size > 0)) throw new Error('size is required');
      offset = 0;
      state = 1;
      await sink.begin(size, { commitTimeout: typeof a.commit_timeout === 'number' ? a.commit_timeout : undefined });
      return null;
    },
    'OTA.Write': async (a) => {
      if (state !== 1) throw new Error('no update in progress');
      const off = Number(a.offset);
      if (off !== offset) throw new Error(`offset mismatch: expected ${offset}, got ${off}`);
      const data = Buffer.from(typeof a.data === 'string' ? a.data : '', 'base64');
      await sink.write(off, new Uint8Array(data));
      offset += data.length;
      return null;
    },
    'OTA.End': async () => {
      if (state !== 1) throw new Error('no update in progress');
      if (offset !== size) throw new Error(`incomplete: ${offset} of ${size} bytes`);
      await sink.end();
      state = 3;
      afterReply = () => s.activate();
      return null;
    },
    'OTA.Update': async (a) => {
      if (typeof a.url !== 'string') throw new Error('url is required');
      if (!s.claim('mos-rpc')) throw new Error(`an update over ${s.busy} is in progress`);
      state = 1;
      let at = 0;
      ctx.print(`mgos_ota_http_start   Update URL: ${a.url}`);
      await httpDownload(a.url, {
        signal: ctx.signal,
        idleTimeoutMs: 10_000,
        onStart: async ({ contentLength }) => sink.begin(contentLength ?? 0, { commitTimeout: typeof a.commit_timeout === 'number' ? a.commit_timeout : undefined }),
        onChunk: async (c) => {
          await sink.write(at, c);
          at += c.length;
        },
      });
      await sink.end();
      state = 3;
      afterReply = () => s.activate();
      return null;
    },
    'OTA.Commit': async () => {
      if (!sink.commit) throw new Error('not supported');
      await sink.commit();
      return null;
    },
    'OTA.Revert': async () => {
      if (!sink.revert) throw new Error('not supported');
      await sink.revert();
      return null;
    },
    'OTA.GetBootState': () => Promise.resolve(sink.bootState?.() ?? {}),
  };

  const dispatch = async (req: Call, send: (rsp: string) => void): Promise<void> => {
    const handler = req.method ? handlers[req.method] : undefined;
    let rsp: Record<string, unknown>;
    if (!handler) rsp = { id: req.id, src, dst: req.src, error: { code: 404, message: `No handler for ${req.method}` } };
    else {
      try {
        const result = await handler((req.args ?? {}) as Record<string, unknown>);
        rsp = { id: req.id, src, dst: req.src, ...(result === null ? {} : { result }) };
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        if (req.method?.startsWith('OTA.') && req.method !== 'OTA.GetBootState' && state === 1) {
          state = 2;
          await s.abort(errorText(e));
        }
        rsp = { id: req.id, src, dst: req.src, error: { code: -1, message: errorText(e) } };
      }
    }
    send(JSON.stringify(rsp));
    const then = afterReply;
    afterReply = null;
    if (then) {
      await ctx.sleep(100); // let the reply drain before the reboot
      then();
    }
  };
  return { dispatch };
}

export function startMosRpc(s: UpdateSession): (line: string) => Promise<boolean> {
  const { ctx } = s;
  const channel = new MosUartChannel();
  const service = mosOtaService(s, `${ctx.board.replace(/[^A-Za-z0-9_]/g, '_')}`);
  return async (line: string) => {
    const start = line.trimStart()[0];
    if (!line.includes('"""') && start !== '{' && start !== '\x04' && !channel.midFrame) return false;
    for (const f of channel.receive(`${line}\n`)) {
      if (f.kind === 'knock') ctx.print(MosUartChannel.KNOCK_REPLY);
      else if (f.kind === 'call') {
        let req: Call;
        try {
          req = JSON.parse(f.json) as Call;
        } catch {
          continue; // mg_rpc drops a frame it cannot parse
        }
        await service.dispatch(req, (rsp) => ctx.print(channel.send(rsp)));
      } // a corrupt frame is dropped (the real channel logs it at WARN, which this console does not show)
    }
    return true;
  };
}
