// HTTP pull: the harness serves the image (image-server.ts) and tells the board, over its
// console, to fetch it. Bytes served are the download progress; a hold point pauses the body at
// an exact byte so a power cut lands where the scenario says, on hardware and on the sim alike.
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { closed } from '../rig/schema-parts.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import { closeParts, type OtaDelivery, type OtaTransport, type TransportContext } from './transport.ts';
import { HttpFaults, ImageServer, ServedOptions } from './image-server.ts';
import { AckOptions, consoleIo, sendAcknowledged } from '../console/acknowledged.ts';

type HttpPullConfig = Static<typeof httpPullTransport.schema>;

export class HttpPullTransport implements OtaTransport {
  readonly kind = 'http-pull';
  private readonly server: ImageServer;

  constructor(
    private readonly config: HttpPullConfig,
    private readonly board: string,
    private readonly console: Console,
  ) {
    this.server = new ImageServer({ board, kind: this.kind, note: (t) => console.note(t) }, config);
  }

  async start(image: FirmwareImage): Promise<OtaDelivery> {
    const { url, delivery } = await this.server.add(image);
    this.console.note(`ota: serving ${image.name} ${image.version} (${image.bytes.length} bytes) at ${url}`);
    await sendAcknowledged(consoleIo(this.console, this.board), 'update command', this.config.trigger.consoleCommand.replaceAll('{url}', url), this.config.trigger);
    return delivery;
  }

  close(): Promise<void> {
    return closeParts(this.server);
  }
}

/** Rig entry `transport: { kind: 'http-pull', ... }`. */
export const httpPullTransport = defineKind({
  kind: 'http-pull',
  description: 'the harness serves the image (Range, ESPhttpUpdate x-ESP8266-version/304, x-MD5) and the board downloads it',
  options: {
    ...ServedOptions,
    trigger: closed({
      consoleCommand: Type.String({ description: 'typed on the console to start the update; {url} is replaced' }),
      ...AckOptions,
    }),
    faults: Type.Optional(HttpFaults),
  },
  create: (config, ctx: TransportContext): OtaTransport => new HttpPullTransport(config, ctx.board, ctx.console),
});
