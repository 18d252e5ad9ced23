// The device shadow, device side (as Mongoose OS's ota-shadow and AWS IoT do it): the device
// follows `.../shadow/update/delta`; a delta with `ota.url` and an `ota.version` other than the
// one running makes it pull that URL; it reports what it did under `state.reported.ota`
// (status: downloading, applied, up-to-date, error) on `.../shadow/update`. The cloud keeps the
// delta retained, so a device that was offline gets it when it connects.
import type { UpdateSession } from '../transports/session.ts';
import type { MqttLink } from './mqtt-link.ts';
import { pullImage } from './pull.ts';

export const shadowTopics = (id: string) => ({
  delta: `ota-hil/things/${id}/shadow/update/delta`,
  update: `ota-hil/things/${id}/shadow/update`,
});

export function followShadow(s: UpdateSession, link: MqttLink, deviceId: string, running: string | undefined): void {
  const { ctx } = s;
  const t = shadowTopics(deviceId);
  const report = (ota: Record<string, unknown>) => link.publish(t.update, { state: { reported: { ota: { fw_version: running ?? null, ...ota } } } });
  link.subscribe(t.delta, (_topic, payload) => {
    let ota: { url?: unknown; version?: unknown } | undefined;
    try {
      ota = payload.length ? (JSON.parse(payload.toString('utf8')) as { state?: { ota?: typeof ota } }).state?.ota : undefined;
    } catch {
      ctx.print('shadow: unreadable delta ignored');
      return;
    }
    if (!ota || typeof ota.url !== 'string') return;
    const version = typeof ota.version === 'string' ? ota.version : undefined;
    if (version !== undefined && version === running) {
      ctx.print(`shadow: desired version ${version} runs already`);
      void report({ status: 'up-to-date' });
      return;
    }
    const url = ota.url;
    ctx.print(`shadow: desired ota ${version ?? '?'} from ${url}`);
    void report({ status: 'downloading', version });
    void (async () => {
      try {
        const r = await pullImage(s, 'shadow', url);
        if (r.ok) {
          ctx.print(`shadow: ${version ?? 'update'} applied, rebooting`);
          await report({ status: 'applied', version }); // out before the reboot takes the connection
          s.activate();
        } else {
          ctx.print(`shadow: update failed: ${r.error}`);
          void report({ status: 'error', version, message: r.error });
        }
      } catch {
        // the boot ended under the download: nothing more is reported this boot
      }
    })();
  });
}
