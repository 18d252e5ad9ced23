// Mongoose OS RPC over MQTT, as `mos ota --port mqtt://broker/<device.id>` pushes firmware: wait
// until the board is online on the broker, then OTA.Begin / OTA.Write per chunk / OTA.End to
// <device.id>/rpc (pushOverRpc, the same sequence as over the console). OTA.Commit and friends
// are there for scenarios. Acknowledged OTA.Write bytes are the progress.
import type { DeviceCloud, MqttConfig, TransportConfig } from '../rig/schema.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import type { OtaDelivery, OtaTransport } from './transport.ts';
import { ByteDelivery } from './delivery.ts';
import { MqttCloud } from './mqtt-cloud.ts';
import { pushOverRpc } from './mos-rpc.ts';

type Config = Extract<TransportConfig, { kind: 'mqtt-rpc' }>;

export class MqttRpcTransport implements OtaTransport {
  readonly kind = 'mqtt-rpc';
  readonly cloud: MqttCloud;
  private deliveries = new Set<ByteDelivery>();

  constructor(
    private readonly config: Config,
    mqtt: MqttConfig | undefined,
    private readonly board: string,
    private readonly console: Console,
  ) {
    this.cloud = new MqttCloud(mqtt, config.deviceId ?? board, `${board}: mqtt-rpc`, (t) => console.note(t));
  }

  async provision(): Promise<DeviceCloud> {
    const b = await this.cloud.brokerInfo();
    return { deviceId: this.cloud.deviceId, mqtt: { url: b.url, username: b.username, password: b.password, rpc: true } };
  }

  async start(image: FirmwareImage): Promise<OtaDelivery> {
    for (const old of this.deliveries) old.abort('superseded by a new delivery');
    this.deliveries.clear();
    const timeout = this.config.timeoutMs ?? 120_000;
    const d = new ByteDelivery(image, this.board, this.kind, timeout);
    d.counted = 'acknowledged';
    d.neverStarted = `${this.cloud.deviceId} never came online on the broker`;
    this.deliveries.add(d);
    await this.cloud.connect();
    void (async () => {
      await this.cloud.waitOnline(timeout);
      this.console.note(`ota: mqtt-rpc push ${image.name} ${image.version} (${image.bytes.length} bytes) to ${this.cloud.deviceId}/rpc`);
      await pushOverRpc(d, (m, a, t) => this.cloud.call(m, a, t), { chunkSize: this.config.chunkSize, commitTimeout: this.config.commitTimeout });
      this.console.note('ota: mqtt-rpc OTA.End accepted');
    })().catch((e: Error) => d.fail(e.message));
    return d;
  }

  commit(): Promise<unknown> {
    return this.cloud.call('OTA.Commit');
  }

  async close(): Promise<void> {
    for (const d of this.deliveries) d.abort();
    await this.cloud.close();
  }
}
