// RPC typed on the console as `Method {json args}` (what `mos call Method '{…}'` sends, without
// the UART framing, which the mos-rpc transport handles), answered with one JSON line
// {"id":N,"src":…,"result":…} or {…,"error":{code,message}}. The methods and their arguments
// are Mongoose OS's own: OTA.Update/Commit/Revert/GetBootState, FS.List/Get/Put/Remove,
// Sys.GetInfo/Reboot.
import type { DeviceContext } from '../../stack.ts';
import { PowerLoss } from '../../flash.ts';
import { DownloadError, httpDownload } from '../../net/http-download.ts';
import { MOS_VERSION, type AppDescriptor } from './app-image.ts';
import { buildId } from './firmware.ts';
import type { MosFs } from './fs.ts';
import type { MosUpdater } from './updater.ts';
import { reboot, type MosLog, type MosPlatform } from './platform.ts';

/** mgos update.timeout: an update that stalls this long (simulated) is given up. */
const UPDATE_TIMEOUT_MS = 600_000;
const GET_CHUNK = 4096;

class RpcFail extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type Args = Record<string, unknown>;

export function consoleRpc(
  ctx: DeviceContext,
  plat: MosPlatform,
  d: AppDescriptor,
  fs: MosFs,
  updater: MosUpdater,
  log: MosLog,
): (line: string) => Promise<void> {
  const src = `${plat.chip}_${ctx.board.replace(/[^A-Za-z0-9]/g, '').slice(0, 6).toUpperCase()}`;
  let id = 0;
  const str = (a: Args, k: string): string => {
    const v = a[k];
    if (typeof v !== 'string' || !v) throw new RpcFail(400, `${k} is required`);
    return v;
  };
  const methods: Record<string, (a: Args, reply: (r: unknown) => void) => Promise<unknown>> = {
    'OTA.Update': async (a, reply) => {
      const ct = typeof a.commit_timeout === 'number' ? a.commit_timeout : 0;
      await otaUpdate(ctx, updater, log, str(a, 'url'), ct);
      reply(null); // answered once the update is applied, just before the reboot
      await updater.activate();
    },
    'OTA.Commit': async () => {
      await updater.commit();
      return null;
    },
    'OTA.Revert': async (_a, reply) => {
      if (updater.committed) throw new RpcFail(400, 'Nothing to revert: the running firmware is committed');
      reply(null);
      await updater.revert();
    },
    'OTA.GetBootState': () => Promise.resolve(updater.bootState()),
    'OTA.Status': () => Promise.resolve({ state: ['idle', 'progress', 'error', 'success'].indexOf(updater.state) }),
    'FS.List': () => Promise.resolve(fs.names()),
    'FS.Get': (a) => {
      const data = fs.get(str(a, 'filename'));
      if (!data) throw new RpcFail(404, `${String(a.filename)}: no such file`);
      const offset = typeof a.offset === 'number' ? a.offset : 0;
      const len = typeof a.len === 'number' ? a.len : GET_CHUNK;
      const part = data.subarray(offset, offset + len);
      return Promise.resolve({ data: Buffer.from(part).toString('base64'), left: Math.max(0, data.length - offset - part.length) });
    },
    'FS.Put': async (a) => {
      const name = str(a, 'filename');
      const data = Buffer.from(typeof a.data === 'string' ? a.data : '', 'base64');
      const prev = a.append === true ? (fs.get(name) ?? new Uint8Array(0)) : new Uint8Array(0);
      await fs.put(name, Buffer.concat([prev, data]));
      return null;
    },
    'FS.Remove': async (a) => {
      if (!(await fs.remove(str(a, 'filename')))) throw new RpcFail(404, `${String(a.filename)}: no such file`);
      return null;
    },
    'Sys.GetInfo': () =>
      Promise.resolve({ app: d.app, fw_version: d.version, fw_id: buildId(d.version, d.declared), mg_version: MOS_VERSION, mg_id: buildId(MOS_VERSION, 'mongoose-os'), arch: plat.chip }),
    'Sys.Reboot': (_a, reply) => {
      reply(null);
      log('mgos_system.c:61', 'Rebooting in 100 ms');
      reboot(ctx, 'Sys.Reboot');
    },
  };

  return async (raw: string) => {
    const line = raw.trim();
    if (!line) return;
    const m = /^([A-Za-z][\w]*\.[A-Za-z][\w]*)\s*(.*)$/.exec(line);
    const frame = { id: ++id, src };
    if (!m) {
      ctx.print(JSON.stringify({ ...frame, error: { code: 400, message: `not a call: ${line}` } }));
      return;
    }
    let replied = false;
    const reply = (result: unknown) => {
      replied = true;
      ctx.print(JSON.stringify({ ...frame, result }));
    };
    try {
      const handler = methods[m[1]!];
      if (!handler) throw new RpcFail(404, `No handler for ${m[1]}`);
      const args = m[2] ? (JSON.parse(m[2]) as unknown) : {};
      if (typeof args !== 'object' || args === null) throw new RpcFail(400, 'args must be an object');
      const result = await handler(args as Args, reply);
      if (!replied) reply(result);
    } catch (e) {
      if (ctx.signal.aborted || e instanceof PowerLoss) throw e;
      if (replied) throw e;
      const code = e instanceof RpcFail ? e.code : e instanceof SyntaxError ? 400 : 500;
      ctx.print(JSON.stringify({ ...frame, error: { code, message: (e as Error).message } }));
    }
  };
}

/** OTA.Update {url}: download into the updater; a failure leaves the running firmware alone. */
async function otaUpdate(ctx: DeviceContext, updater: MosUpdater, log: MosLog, url: string, commitTimeout: number): Promise<void> {
  log('mgos_ota_http_client.c:120', `Update URL: ${url}, ct: ${commitTimeout}`);
  let begun = false;
  let offset = 0;
  try {
    await httpDownload(url, {
      signal: ctx.signal,
      idleTimeoutMs: Math.max(UPDATE_TIMEOUT_MS / ctx.config.timeScale, 5000),
      onStart: async ({ contentLength }) => {
        await updater.beginUrl(contentLength ?? 0, commitTimeout);
        begun = true;
      },
      onChunk: async (chunk) => {
        await updater.write(offset, chunk);
        offset += chunk.length;
      },
    });
    await updater.end();
  } catch (e) {
    if (ctx.signal.aborted || e instanceof PowerLoss) throw e;
    const msg = e instanceof DownloadError && e.kind === 'timeout' ? 'Update timed out' : (e as Error).message;
    if (begun) await updater.abort(msg);
    throw new RpcFail(500, msg);
  }
}
