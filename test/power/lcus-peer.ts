// The device end of a pseudo-terminal playing an LCUS relay board: decodes A0 <ch> <op> <sum>
// frames, checks every checksum, keeps the relay states and answers the 0xFF status query the way
// multi-channel boards do ("CH1:OFF \r\nCH2:ON \r\n"). Anything malformed lands in `errors`.
import { SerialPort } from 'serialport';

export class LcusPeer {
  readonly frames: number[][] = [];
  readonly errors: string[] = [];
  queries = 0;
  readonly relays: boolean[];
  /** false: a single-channel LCUS-1, which never answers the query. */
  answersQuery = true;
  /** A channel whose relay is dead: frames for it are accepted and change nothing. */
  deadChannel: number | undefined;
  /** Answers kept back (a slow board or host) until releaseAnswers(); null: sent at once. */
  private held: Buffer[] | null = null;
  private frame: number[] = [];

  private constructor(
    private readonly port: SerialPort,
    readonly channels: number,
  ) {
    this.relays = new Array<boolean>(channels).fill(false);
    port.on('data', (chunk: Buffer) => {
      for (const b of chunk) this.byte(b);
    });
  }

  static async open(path: string, channels = 4): Promise<LcusPeer> {
    const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    return new LcusPeer(port, channels);
  }

  private byte(b: number): void {
    if (this.frame.length === 0 && b === 0xff) {
      this.queries++;
      if (this.answersQuery) {
        const text = Buffer.from(this.relays.map((on, i) => `CH${i + 1}:${on ? 'ON' : 'OFF'} \r\n`).join(''), 'latin1');
        if (this.held) this.held.push(text);
        else this.port.write(text);
      }
      return;
    }
    if (this.frame.length === 0 && b !== 0xa0) {
      this.errors.push(`stray byte ${b.toString(16)} outside a frame`);
      return;
    }
    this.frame.push(b);
    if (this.frame.length < 4) return;
    const [start, ch, op, sum] = this.frame as [number, number, number, number];
    this.frames.push(this.frame);
    this.frame = [];
    if (sum !== ((start + ch + op) & 0xff)) return void this.errors.push(`bad checksum in ${hex([start, ch, op, sum])}`);
    if (ch < 1 || ch > this.channels) return void this.errors.push(`no channel ${ch}`);
    if (op > 1) return void this.errors.push(`bad operation ${op}`);
    if (ch !== this.deadChannel) this.relays[ch - 1] = op === 1;
  }

  /** Bytes cross the pty asynchronously: a write the driver has drained may not be read here yet. */
  async waitFrames(n: number, ms = 2000): Promise<void> {
    const end = Date.now() + ms;
    while (this.frames.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  }

  holdAnswers(): void {
    this.held ??= [];
  }

  releaseAnswers(): void {
    for (const text of this.held ?? []) this.port.write(text);
    this.held = null;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}

export const hex = (b: number[]): string => b.map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(' ');
