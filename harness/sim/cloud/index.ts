// The cloud side of a simulated firmware, started for one boot when the board was provisioned
// with a cloud (a DeviceCloud in rig/schema.ts): the MQTT link with the shadow and/or RPC over MQTT, and the
// periodic HTTP check. Everything ends with the boot.
import type { UpdateSession } from '../transports/session.ts';
import type { DeviceCloud } from '../../rig/schema.ts';
import { followShadow } from './shadow.ts';
import { serveRpc } from './rpc.ts';
import { pollForUpdates } from './poll.ts';


export function startCloud(s: UpdateSession, p: DeviceCloud, running: string | undefined): void {
  // The MQTT client library is loaded by the first board with an MQTT cloud, not with the simulator.
  if (p.mqtt) {
    void import('./mqtt-link.ts').then(({ connectMqtt }) => {
      const link = connectMqtt(s.ctx, p);
      if (link && p.mqtt?.shadow) followShadow(s, link, p.deviceId, running);
      if (link && p.mqtt?.rpc) serveRpc(s, link, p.deviceId, running);
    }, (e: Error) => s.ctx.print(`mqtt: ${e.message}`));
  }
  if (p.poll) pollForUpdates(s, p.poll.url, p.poll.intervalS, running);
}
