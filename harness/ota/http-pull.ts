// HTTP pull: the harness serves the image (image-server.ts) and tells the board, over its
// console, to fetch it. Bytes served are the download progress; a hold point pauses the body at
// an exact byte so a power cut lands where the scenario says, on hardware and on the sim alike.
import { Type, type Static } from '@sinclair/typebox';
import { defineKind } from '../rig/kind.ts';
import { closed, Ms } from '../rig/schema-parts.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import type { OtaDelivery, OtaTransport, TransportContext } from './transport.ts';
import { ImageServer } from './image-server.ts';


/** Faults the harness-hosted image server injects into the body it serves. */
export const HttpFaults = closed(
  {
    stallAtByte: Type.Optional(Type.Integer({ minimum: 0, description: 'stop sending at this byte, keep the connection open' })),
    stallMs: Type.Optional(Type.Integer({ minimum: 1, description: 'how long a stall lasts (default: until the board gives up)' })),
    dropAtByte: Type.Optional(Type.Integer({ minimum: 0, description: 'close the connection after this many body bytes' })),
    throttleBytesPerSec: Type.Optional(Type.Integer({ minimum: 1, description: 'serve at most this many bytes per second' })),
    flipByteAt: Type.Optional(Type.Integer({ minimum: 0, description: 'XOR 0x01 into the byte at this offset' })),
    truncateAt: Type.Optional(Type.Integer({ minimum: 0, description: 'serve only the first N bytes, with a matching Content-Length (a truncated file on the server)' })),
    times: Type.Optional(Type.Integer({ minimum: 1, description: 'apply to the first N requests only (default: all)' })),
  },
  { description: 'faults on the served body, for download-robustness scenarios' },
);
export type HttpFaults = Static<typeof HttpFaults>;

type HttpPullConfig = Static<typeof httpPullTransport.schema>;

export class HttpPullTransport implements OtaTransport {
  readonly kind = 'http-pull';
  private readonly server: ImageServer;

  constructor(
    private readonly config: HttpPullConfig,
    board: string,
    private readonly console: Console,
  ) {
    this.server = new ImageServer({
      board,
      kind: this.kind,
      host: config.host,
      port: config.port,
      faults: config.faults,
      timeoutMs: config.timeoutMs ?? 120_000,
      note: (t) => console.note(t),
    });
  }

  async start(image: FirmwareImage): Promise<OtaDelivery> {
    const { url, delivery } = await this.server.add(image);
    this.console.note(`ota: serving ${image.name} ${image.version} (${image.bytes.length} bytes) at ${url}`);
    await this.console.send(this.config.trigger.consoleCommand.replaceAll('{url}', url));
    return delivery;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** Rig entry `transport: { kind: 'http-pull', ... }`. */
export const httpPullTransport = defineKind({
  kind: 'http-pull',
  description: 'the harness serves the image (Range, ESPhttpUpdate x-ESP8266-version/304, x-MD5) and the board downloads it',
  options: {
    host: Type.Optional(Type.String({ default: '127.0.0.1', description: 'address the image server binds and advertises' })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    trigger: closed({
      consoleCommand: Type.String({ description: 'typed on the console to start the update; {url} is replaced' }),
    }),
    faults: Type.Optional(HttpFaults),
    timeoutMs: Type.Optional(Ms),
  },
  create: (config, ctx: TransportContext): OtaTransport => new HttpPullTransport(config, ctx.board, ctx.console),
});
