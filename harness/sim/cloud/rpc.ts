// Mongoose OS RPC over MQTT, device side (rpc-mqtt): requests arrive on `<device.id>/rpc` as JSON
// frames {id, src, method, args}; the answer {id, src, dst, result | error} goes to `<src>/rpc`.
// The OTA service is the one the console channel serves (OTA.Begin/Write/End, OTA.Update,
// OTA.Commit/Revert/GetBootState, OTA.Status), plus Sys.GetInfo naming the running version.
import type { UpdateSession } from '../transports/session.ts';
import { mosOtaService, type Call } from '../transports/mos-rpc.ts';
import type { MqttLink } from './mqtt-link.ts';

export function serveRpc(s: UpdateSession, link: MqttLink, deviceId: string, running: string | undefined): void {
  const service = mosOtaService(s, deviceId, { 'Sys.GetInfo': () => Promise.resolve({ id: deviceId, fw_version: running ?? null }) });
  // One request at a time, in arrival order, as the device's event loop handles them.
  let queue: Promise<void> = Promise.resolve();
  link.subscribe(`${deviceId}/rpc`, (_topic, payload) => {
    let req: Call;
    try {
      req = JSON.parse(payload.toString('utf8')) as Call;
    } catch {
      return; // not a frame: nobody to answer
    }
    if (!req.src) return;
    const to = `${req.src}/rpc`;
    queue = queue.then(() => service.dispatch(req, (rsp) => void link.publish(to, rsp))).catch(() => undefined);
  });
}
