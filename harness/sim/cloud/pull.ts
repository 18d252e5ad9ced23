// Pull an image over HTTP into the stack's updater, verified, ready to activate: what a shadow update and an
// ota-http-client poll both end in. One update per boot at a time (the session's claim).
import { httpDownload } from '../net/http-download.ts';
import { PowerLoss } from '../flash.ts';
import { errorText, type UpdateSession } from '../transports/session.ts';

/** ok when the image was received and verified; the caller then activates it (s.activate()). */
export async function pullImage(s: UpdateSession, who: string, url: string, onProgress?: (bytes: number, total: number) => void): Promise<{ ok: boolean; error?: string }> {
  const { ctx, sink } = s;
  if (!s.claim(who)) return { ok: false, error: `an update over ${s.busy} is in progress` };
  let begun = false;
  let at = 0;
  let total = 0;
  try {
    await httpDownload(url, {
      signal: ctx.signal,
      idleTimeoutMs: 10_000,
      onStart: async ({ contentLength }) => {
        total = contentLength ?? 0;
        await sink.begin(total);
        begun = true;
      },
      onChunk: async (c) => {
        await sink.write(at, c);
        at += c.length;
        onProgress?.(at, total);
      },
    });
    await sink.end();
  } catch (e) {
    if (ctx.signal.aborted || e instanceof PowerLoss) throw e;
    if (begun) await s.abort(errorText(e));
    else s.release();
    return { ok: false, error: errorText(e) };
  }
  return { ok: true };
}
