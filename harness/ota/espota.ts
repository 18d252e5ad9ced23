// ArduinoOTA, as espota.py drives it: UDP invitation, MD5 challenge when the board has a password,
// the board connects back over TCP, chunks acknowledged one by one, then "OK" or the updater's
// error. Bytes the board acknowledged are the progress; a hold point stops before the next chunk.
import dgram from 'node:dgram';
import net from 'node:net';
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { BoardAddress, AddressFrom, StepTimeout } from '../rig/schema-parts.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import type { OtaDelivery, OtaTransport, TransportContext } from './transport.ts';
import { ByteDelivery } from './delivery.ts';
import { Waiters } from '../waiters.ts';
import { deviceAddress, type DeviceAddress } from './address.ts';
import { Cmd, ESPOTA_PORT, authResponse, clientNonce, formatAuth, formatInvitation, md5hex } from './proto/espota.ts';

type EspotaConfig = Static<typeof espotaTransport.schema>;
/** espota.py: 10 s for the invitation, the connect-back and each chunk's ack, 60 s for the result. */
const STEP_MS = 10_000;
const RESULT_MS = 60_000;
export const ESPOTA_ADDRESS = /ArduinoOTA ready at (?<host>[^\s:]+):(?<port>\d+)/;

export class EspotaTransport implements OtaTransport {
  readonly kind = 'espota';
  private cleanups = new Set<() => void>();
  private deliveries = new Set<ByteDelivery>();

  constructor(
    private readonly config: EspotaConfig,
    private readonly board: string,
    private readonly console: Console,
  ) {}

  async start(image: FirmwareImage): Promise<OtaDelivery> {
    const d = new ByteDelivery(image, this.board, this.kind, this.config.timeoutMs);
    d.counted = 'acknowledged';
    d.neverStarted = 'the board never connected back';
    this.deliveries.add(d);
    const addr = await deviceAddress({
      board: this.board,
      kind: this.kind,
      console: this.console,
      address: this.config.address,
      addressFrom: this.config.addressFrom,
      defaultPattern: ESPOTA_ADDRESS,
      defaultPort: this.config.port ?? ESPOTA_PORT,
    });
    void this.run(addr, d).catch((e: Error) => d.fail(e.message));
    return d;
  }

  async close(): Promise<void> {
    for (const c of this.cleanups) c();
    for (const d of this.deliveries) d.abort();
    await Promise.resolve();
  }

  private async run(addr: DeviceAddress, d: ByteDelivery): Promise<void> {
    const image = d.image;
    const hostAddress = this.config.hostAddress ?? '127.0.0.1';
    const udp = dgram.createSocket(net.isIPv6(addr.host) ? 'udp6' : 'udp4');
    const server = net.createServer();
    const sockets = new Set<net.Socket>();
    server.on('connection', (s) => sockets.add(s));
    const cleanup = () => {
      udp.close();
      server.close();
      for (const s of sockets) s.destroy();
    };
    this.cleanups.add(cleanup);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, hostAddress, resolve);
      });
      const tcpPort = (server.address() as net.AddressInfo).port;
      const replies: string[] = [];
      const answered = new Waiters();
      udp.on('message', (m) => {
        replies.push(m.toString('latin1'));
        answered.notify();
      });
      await new Promise<void>((resolve) => udp.bind(0, hostAddress, resolve));
      const reply = (what: string): Promise<string> =>
        answered.until(() => replies.shift(), STEP_MS, () => new Error(`no answer to the ${what} from ${addr.host}:${addr.port} within ${STEP_MS} ms`));
      const send = (text: string) => new Promise<void>((resolve, reject) => udp.send(text, addr.port, addr.host, (e) => (e ? reject(e) : resolve())));

      const md5 = md5hex(image.bytes);
      const cmd = this.config.command === 'fs' ? Cmd.FS : Cmd.FLASH;
      this.console.note(`ota: espota invitation to ${addr.host}:${addr.port}: ${cmd} ${tcpPort} ${image.bytes.length} ${md5}`);
      await send(formatInvitation({ cmd, port: tcpPort, size: image.bytes.length, md5 }));
      let answer = await reply('invitation');
      if (answer.startsWith('AUTH')) {
        const nonce = answer.split(/\s+/)[1] ?? '';
        if (this.config.password === undefined) throw new Error('the board asks for a password (AUTH) and the rig gives none');
        const cnonce = clientNonce(`${image.name}-${image.version}.bin`, image.bytes.length, md5, addr.host);
        await send(formatAuth(cnonce, authResponse(this.config.password, nonce, cnonce)));
        answer = await reply('authentication');
        if (answer !== 'OK') {
          throw new Error(answer.startsWith('Authentication Failed') ? 'wrong password: the board answered "Authentication Failed"; nothing was sent' : `the board refused: ${answer}`);
        }
      } else if (answer !== 'OK') {
        throw new Error(`the board refused the invitation: ${answer}`);
      }

      const socket = await new Promise<net.Socket>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`the board did not connect back to ${hostAddress}:${tcpPort} within ${STEP_MS} ms`)), STEP_MS);
        server.once('connection', (s) => {
          clearTimeout(t);
          resolve(s);
        });
      });
      await this.stream(socket, d);
    } finally {
      cleanup();
      this.cleanups.delete(cleanup);
    }
  }

  private async stream(socket: net.Socket, d: ByteDelivery): Promise<void> {
    const bytes = d.image.bytes;
    const chunk = this.config.chunkSize ?? 1460;
    socket.setNoDelay(true);
    let text = '';
    let closed = false;
    const heard = new Waiters();
    socket.on('data', (b: Buffer) => {
      text += b.toString('latin1');
      heard.notify();
    });
    socket.on('close', () => {
      closed = true;
      heard.notify();
      d.wake();
    });
    socket.on('error', () => undefined);
    const wait = async (cond: () => boolean, ms: number, what: string) => {
      const got = await heard.until(
        () => (cond() ? 'heard' : closed ? 'closed' : undefined),
        ms,
        () => new Error(`no ${what} within ${ms} ms (${d.progress().bytes}/${bytes.length} bytes acknowledged)`),
      );
      if (got === 'closed') throw new Error(`connection closed by the board after ${d.progress().bytes}/${bytes.length} bytes ${what}`);
    };
    d.begin();
    let at = 0;
    while (at < bytes.length) {
      const n = await d.take(Math.min(chunk, bytes.length - at), () => closed);
      if (n === 0) throw new Error(`connection closed by the board after ${at}/${bytes.length} bytes`);
      text = '';
      socket.write(bytes.subarray(at, at + n));
      await wait(() => text.length > 0, STEP_MS, 'acknowledgement');
      if (/E/.test(text)) throw new Error(`the board failed the update: ${text.replace(/^\d+/, '').trim()}`);
      at += n;
      d.advance(n);
    }
    await wait(() => /OK|E/.test(text.replace(/^\d+/, '')), RESULT_MS, 'result');
    const result = text.replace(/^\d+/, '').trim();
    this.console.note(`ota: espota result: ${result}`);
    if (!result.includes('OK')) throw new Error(`the board failed the update: ${result}`);
    d.finish();
  }
}

/** Rig entry `transport: { kind: 'espota', ... }`. */
export const espotaTransport = defineKind({
  kind: 'espota',
  description: 'ArduinoOTA / espota.py: UDP invitation, MD5 challenge, TCP connect-back',
  options: {
    address: BoardAddress,
    addressFrom: AddressFrom,
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 8266, description: 'UDP port when the address has none' })),
    password: Type.Optional(Type.String({ description: 'ArduinoOTA.setPassword on the board' })),
    hostAddress: Type.Optional(Type.String({ default: '127.0.0.1', description: 'where the board connects back to (must be reachable from it)' })),
    command: Type.Optional(Type.Union([Type.Literal('flash'), Type.Literal('fs')], { default: 'flash' })),
    chunkSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 65536, default: 1460 })),
    timeoutMs: StepTimeout,
  },
  create: (config, ctx: TransportContext): OtaTransport => new EspotaTransport(config, ctx.board, ctx.console),
});
