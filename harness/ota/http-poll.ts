// ota-http-client polling, the server's side: the board GETs its manifest {version, url} on an
// interval (its own configuration); start() puts the image there, and the board updates at its
// next check. Bytes served are the progress, as for HTTP pull.
import type { DeviceCloud } from '../rig/schema.ts';
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { DeviceId } from '../rig/schema-parts.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import { closeParts, type OtaDelivery, type OtaTransport, type TransportContext } from './transport.ts';
import { ImageServer, ServedOptions } from './image-server.ts';

type Config = Static<typeof httpPollTransport.schema>;

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
    this.server = new ImageServer({ board, kind: this.kind, note: (t) => console.note(t) }, config);
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
    return closeParts(this.server);
  }
}

/** Rig entry `transport: { kind: 'http-poll', ... }`. */
export const httpPollTransport = defineKind({
  kind: 'http-poll',
  description: 'ota-http-client polling: the board GETs a manifest {version, url} on an interval and updates when the version differs',
  options: {
    deviceId: DeviceId,
    ...ServedOptions,
    intervalS: Type.Optional(Type.Integer({ minimum: 1, default: 10, description: "the board's check interval in (simulated) seconds, as its firmware is configured" })),
  },
  create: (config, ctx: TransportContext): OtaTransport => new HttpPollTransport(config, ctx.board, ctx.console),
});
