// ota-http-client polling, the server's side: the board GETs its manifest {version, url} on an
// interval (its own configuration); start() puts the image there, and the board updates at its
// next check. Bytes served are the progress, as for HTTP pull.
import type { DeviceCloud, TransportConfig } from '../rig/schema.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import type { OtaDelivery, OtaTransport } from './transport.ts';
import { ImageServer } from './image-server.ts';

type Config = Extract<TransportConfig, { kind: 'http-poll' }>;

export class HttpPollTransport implements OtaTransport {
  readonly kind = 'http-poll';
  private readonly server: ImageServer;
  private readonly deviceId: string;

  constructor(
    private readonly config: Config,
    board: string,
    private readonly console: Console,
  ) {
    this.deviceId = config.deviceId ?? board;
    this.server = new ImageServer({ board, kind: this.kind, host: config.host, port: config.port, timeoutMs: config.timeoutMs ?? 120_000, note: (t) => console.note(t) });
  }

  private get manifestPath(): string {
    return `/poll/${encodeURIComponent(this.deviceId)}.json`;
  }

  async provision(): Promise<DeviceCloud> {
    return { deviceId: this.deviceId, poll: { url: (await this.server.base()) + this.manifestPath, intervalS: this.config.intervalS ?? 10 } };
  }

  async start(image: FirmwareImage): Promise<OtaDelivery> {
    const { url, delivery } = await this.server.add(image);
    this.server.document(this.manifestPath, JSON.stringify({ version: image.version, url }));
    this.console.note(`ota: poll manifest for ${this.deviceId} now offers ${image.version} at ${url}`);
    return delivery;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
