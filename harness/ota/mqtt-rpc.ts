// Mongoose OS RPC over MQTT, as `mos ota --port mqtt://broker/<device.id>` pushes firmware: wait
// until the board is online on the broker, then OTA.Begin / OTA.Write per chunk / OTA.End to
// <device.id>/rpc (pushOverRpc, the same sequence as over the console). OTA.Commit and friends
// are there for scenarios. Acknowledged OTA.Write bytes are the progress.
import type { DeviceCloud, MqttConfig } from '../rig/schema.ts';
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { DeviceId, StepTimeout } from '../rig/schema-parts.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import { closeParts, type OtaDelivery, type OtaTransport, type TransportContext } from './transport.ts';
import { Uploads } from './delivery.ts';
import { MqttCloud } from './mqtt-cloud.ts';
import { pushOverRpc } from './mos-rpc.ts';

type Config = Static<typeof mqttRpcTransport.schema>;

export class MqttRpcTransport implements OtaTransport {
  readonly kind = 'mqtt-rpc';
  readonly cloud: MqttCloud;
  private readonly uploads: Uploads;

  constructor(
    private readonly config: Config,
    mqtt: MqttConfig | undefined,
    board: string,
    private readonly console: Console,
  ) {
    this.cloud = new MqttCloud(mqtt, config.deviceId ?? board, `${board}: mqtt-rpc`, (t) => console.note(t));
    this.uploads = new Uploads(board, this.kind, config.timeoutMs);
  }

  async provision(): Promise<DeviceCloud> {
    const b = await this.cloud.brokerInfo();
    return { deviceId: this.cloud.deviceId, mqtt: { url: b.url, username: b.username, password: b.password, rpc: true } };
  }

  async start(image: FirmwareImage): Promise<OtaDelivery> {
    const d = this.uploads.next(image);
    d.neverStarted = `${this.cloud.deviceId} never came online on the broker`;
    await this.cloud.connect();
    void (async () => {
      await this.cloud.waitOnline(d.timeoutMs);
      this.console.note(`ota: mqtt-rpc push ${image.name} ${image.version} (${image.bytes.length} bytes) to ${this.cloud.deviceId}/rpc`);
      await pushOverRpc(d, (m, a, t) => this.cloud.call(m, a, t), { chunkSize: this.config.chunkSize, commitTimeout: this.config.commitTimeout });
      this.console.note('ota: mqtt-rpc OTA.End accepted');
    })().catch((e: Error) => d.fail(e.message));
    return d;
  }

  commit(): Promise<unknown> {
    return this.cloud.call('OTA.Commit');
  }

  close(): Promise<void> {
    return closeParts(this.uploads, this.cloud);
  }
}

/** Rig entry `transport: { kind: 'mqtt-rpc', ... }`. */
export const mqttRpcTransport = defineKind({
  kind: 'mqtt-rpc',
  description: 'Mongoose OS RPC over MQTT (<device.id>/rpc): OTA.Begin/Write/End as `mos ota --port mqtt://…` does, once the board is online',
  options: {
    deviceId: DeviceId,
    chunkSize: Type.Optional(Type.Integer({ minimum: 16, maximum: 65536, default: 1024 })),
    commitTimeout: Type.Optional(Type.Integer({ minimum: 0, description: 'seconds, passed to OTA.Begin (0: commit at once)' })),
    timeoutMs: StepTimeout,
  },
  create: (config, ctx: TransportContext): OtaTransport => new MqttRpcTransport(config, ctx.mqtt, ctx.board, ctx.console),
});
