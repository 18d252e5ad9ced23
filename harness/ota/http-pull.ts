// HTTP pull: the harness serves the image (image-server.ts) and tells the board, over its
// console, to fetch it. Bytes served are the download progress; a hold point pauses the body at
// an exact byte so a power cut lands where the scenario says, on hardware and on the sim alike.
import type { TransportConfig } from '../rig/schema.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import type { OtaDelivery, OtaTransport } from './transport.ts';
import { ImageServer } from './image-server.ts';

type HttpPullConfig = Extract<TransportConfig, { kind: 'http-pull' }>;

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
