// ota-http-client's periodic check, device side: every interval (simulated time) GET the poll URL,
// a small JSON manifest {"version", "url"}; a version other than the running one is pulled and
// applied. Nothing is kept between boots: after the reboot the new version runs and matches.
import { httpGetText } from '../net/http-download.ts';
import type { UpdateSession } from '../transports/session.ts';
import { pullImage } from './pull.ts';

export function pollForUpdates(s: UpdateSession, url: string, intervalS: number, running: string | undefined): void {
  const { ctx } = s;
  void (async () => {
    try {
      for (;;) {
        await ctx.sleep(intervalS * 1000);
        let manifest: { version?: unknown; url?: unknown };
        try {
          manifest = JSON.parse(await httpGetText(url, ctx.signal)) as typeof manifest;
        } catch (e) {
          if (ctx.signal.aborted) return;
          ctx.print(`ota-http-client: check failed: ${(e as Error).message}`);
          continue;
        }
        if (typeof manifest.version !== 'string' || typeof manifest.url !== 'string' || manifest.version === running) continue;
        ctx.print(`ota-http-client: ${manifest.version} available (running ${running ?? '?'}), updating from ${manifest.url}`);
        const r = await pullImage(s, 'ota-http-client', manifest.url);
        if (r.ok) return s.activate();
        ctx.print(`ota-http-client: update failed: ${r.error}`);
      }
    } catch {
      // the boot ended (power cut, reset): the next boot polls again
    }
  })();
}
