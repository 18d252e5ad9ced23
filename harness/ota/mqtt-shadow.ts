// Device shadow over MQTT, the cloud's side: the image is served over HTTP (image-server.ts) and
// its URL and version set as the desired state, retained, so a board that is offline now gets it
// when it connects. The board pulls the image (bytes served are the progress) and reports under
// state.reported.ota; once it reports 'applied' or 'up-to-date' the desired state is cleared, so a
// board that reverts later is not updated again behind the scenario's back. A board cut off
// mid-download finds the desired state still there on reconnecting and pulls again.
import type { DeviceCloud, MqttConfig } from '../rig/schema.ts';
import type { Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { DeviceId } from '../rig/schema-parts.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import { closeParts, type OtaDelivery, type OtaTransport, type TransportContext } from './transport.ts';
import { ImageServer, ServedOptions } from './image-server.ts';
import { MqttCloud } from './mqtt-cloud.ts';

type Config = Static<typeof mqttShadowTransport.schema>;

const topics = (id: string) => ({ delta: `ota-hil/things/${id}/shadow/update/delta`, update: `ota-hil/things/${id}/shadow/update` });

export class MqttShadowTransport implements OtaTransport {
  readonly kind = 'mqtt-shadow';
  readonly cloud: MqttCloud;
  private readonly server: ImageServer;
  private reportsFollowed = false;
  /** The last state.reported.ota the board sent: a transport result the fleet reads. */
  lastReport: Record<string, unknown> | null = null;

  constructor(
    config: Config,
    mqtt: MqttConfig | undefined,
    board: string,
    private readonly console: Console,
  ) {
    const note = (t: string) => console.note(t);
    this.cloud = new MqttCloud(mqtt, config.deviceId ?? board, `${board}: mqtt-shadow`, note);
    this.server = new ImageServer({ board, kind: this.kind, note }, config);
  }

  async provision(): Promise<DeviceCloud> {
    const b = await this.cloud.brokerInfo();
    return { deviceId: this.cloud.deviceId, mqtt: { url: b.url, username: b.username, password: b.password, shadow: true } };
  }

  async start(image: FirmwareImage): Promise<OtaDelivery> {
    const t = topics(this.cloud.deviceId);
    if (!this.reportsFollowed) {
      this.reportsFollowed = true;
      await this.cloud.subscribe(t.update, (p) => this.onReport(p));
    }
    const { url, delivery } = await this.server.add(image);
    this.console.note(`ota: shadow desired.ota = ${image.version} at ${url} (${image.bytes.length} bytes), retained for ${this.cloud.deviceId}`);
    await this.cloud.publish(t.delta, { state: { ota: { url, version: image.version } } }, true);
    return delivery;
  }

  private onReport(payload: Buffer): void {
    let ota: Record<string, unknown> | undefined;
    try {
      ota = (JSON.parse(payload.toString('utf8')) as { state?: { reported?: { ota?: Record<string, unknown> } } }).state?.reported?.ota;
    } catch {
      return;
    }
    if (!ota) return;
    this.lastReport = ota;
    this.console.note(`ota: shadow reported ${JSON.stringify(ota)}`);
    if (ota.status === 'applied' || ota.status === 'up-to-date') {
      void this.cloud.publish(topics(this.cloud.deviceId).delta, '', true).catch(() => undefined); // desired reached: cleared
    }
  }

  close(): Promise<void> {
    return closeParts(this.server, this.cloud);
  }
}

/** Rig entry `transport: { kind: 'mqtt-shadow', ... }`. */
export const mqttShadowTransport = defineKind({
  kind: 'mqtt-shadow',
  description: 'device shadow over MQTT: desired.ota {url, version} (retained, so an offline board gets it on connecting) → the board pulls the image over HTTP → reports state.reported.ota',
  options: {
    deviceId: DeviceId,
    ...ServedOptions,
  },
  create: (config, ctx: TransportContext): OtaTransport => new MqttShadowTransport(config, ctx.mqtt, ctx.board, ctx.console),
});
