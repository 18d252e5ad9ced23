// An LCUS relay board (CH340 USB-serial, 9600 8N1) on a pseudo-terminal whose channel switches a
// simulated board's supply. The harness drives it with its real serial-relay driver: frames
// A0 <ch> <0|1> <sum> are checked byte for byte, and the status query FF is answered the way
// multi-channel boards do ("CH1:ON \r\n..."). A bad frame switches nothing and is logged.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SerialPort } from 'serialport';
import { LCUS_QUERY, LCUS_START, hexBytes } from '../power/lcus.ts';
import type { SimSupply } from '../power/sim.ts';
import { PtyAdapter } from './pty-adapter.ts';

export class SimLcusRelay {
  readonly relays: boolean[];
  /** Every frame received, as hex, for reports and tests. */
  readonly frames: string[] = [];
  private frame: number[] = [];

  private constructor(
    private readonly adapter: PtyAdapter,
    private readonly end: SerialPort,
    private readonly supply: SimSupply,
    readonly channel: number,
    private readonly log: (line: string) => void,
  ) {
    this.relays = new Array<boolean>(Math.max(4, channel)).fill(false);
    end.on('data', (chunk: Buffer) => {
      for (const b of chunk) this.byte(b);
    });
    end.on('error', () => undefined);
  }

  /** The harness end, where the rig's serial-relay driver opens the relay. */
  get path(): string {
    return this.adapter.link;
  }

  static async start(opts: { board: string; supply: SimSupply; channel: number; dir: string; log: (line: string) => void }): Promise<SimLcusRelay> {
    const { SerialPort } = await import('serialport'); // loaded for a relay-switched sim board only
    mkdirSync(opts.dir, { recursive: true });
    const adapter = new PtyAdapter(path.join(opts.dir, 'by-id', 'usb-1a86_USB_Serial-if00-port0'), `${opts.board}-relay`);
    const plug = await adapter.plug();
    const end = new SerialPort({ path: plug.device, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => end.open((e) => (e ? reject(e) : resolve()))).catch((e: Error) => {
      adapter.close();
      throw new Error(`${opts.board}: simulated LCUS relay: ${e.message}`);
    });
    return new SimLcusRelay(adapter, end, opts.supply, opts.channel, opts.log);
  }

  private byte(b: number): void {
    if (this.frame.length === 0 && b === LCUS_QUERY) {
      const text = this.relays.map((on, i) => `CH${i + 1}:${on ? 'ON' : 'OFF'} \r\n`).join('');
      this.end.write(Buffer.from(text, 'latin1'));
      return;
    }
    if (this.frame.length === 0 && b !== LCUS_START) return this.log(`simulated LCUS relay: stray byte ${b.toString(16).padStart(2, '0')}`);
    this.frame.push(b);
    if (this.frame.length < 4) return;
    const [start, ch, op, sum] = this.frame as [number, number, number, number];
    this.frame = [];
    const hex = hexBytes(Uint8Array.of(start, ch, op, sum));
    this.frames.push(hex);
    if (sum !== ((start + ch + op) & 0xff)) return this.log(`simulated LCUS relay: bad checksum in ${hex}`);
    if (ch < 1 || ch > this.relays.length || op > 1) return this.log(`simulated LCUS relay: invalid frame ${hex}`);
    this.relays[ch - 1] = op === 1;
    if (ch !== this.channel) return;
    if (op === 1) this.supply.powerOn();
    else this.supply.powerOff();
  }

  async close(): Promise<void> {
    if (this.end.isOpen) await new Promise<void>((resolve) => this.end.close(() => resolve()));
    this.adapter.close();
  }
}
