// A simulated board whose UART reaches the harness through a USB-serial adapter it powers itself:
// the device end of a socat pseudo-terminal pair carries the simulated UART, the harness end sits
// behind a by-id style link. Power off takes the adapter with it (the port vanishes); power on
// brings it back as a new pair, the link repointed. The harness opens the link with serialport's
// native binding, as on hardware, so the reconnect path is exercised for real.
import type { SerialPort } from 'serialport';
import type { SimDevice } from '../sim/device.ts';
import type { SimSupply } from '../power/sim.ts';
import type { PtyAdapter } from './pty-adapter.ts';

/** serialport, loaded by the first pty board: most simulated boards are wired in-process. */
let serialport: Promise<typeof import('serialport')> | undefined;

export class SimPtyUart {
  /** What the device printed while the adapter was still coming up: its FIFO. */
  private fifo: Buffer[] = [];
  private end: SerialPort | undefined;
  private wanted = false;
  /** Counts unplugs: a plug still opening a pair that a later unplug has doomed lets it go. */
  private unplugs = 0;
  private ops: Promise<void> = Promise.resolve();
  private readonly onTx = (b: Buffer) => this.tx(b);

  constructor(
    private readonly device: SimDevice,
    readonly adapter: PtyAdapter,
    private readonly log: (line: string) => void,
  ) {
    device.uart.on('tx', this.onTx);
  }

  get link(): string {
    return this.adapter.link;
  }

  /** Adapter powered: a new pair, the link repointed; bytes flow once the device end is open. */
  plug(): void {
    this.wanted = true;
    this.enqueue(async () => {
      if (!this.wanted || this.end) return;
      const unplugs = this.unplugs;
      const { SerialPort } = await (serialport ??= import('serialport'));
      const plug = await this.adapter.plug();
      const end = new SerialPort({ path: plug.device, baudRate: 115200, autoOpen: false });
      await new Promise<void>((resolve, reject) => end.open((e) => (e ? reject(e) : resolve())));
      end.on('data', (b: Buffer) => this.device.receive(b));
      end.on('error', () => undefined); // the pair going away at unplug is expected
      if (!this.wanted || unplugs !== this.unplugs) return void end.close(() => undefined);
      this.end = end;
      for (const b of this.fifo.splice(0)) end.write(b);
    });
  }

  /** Adapter unpowered: the port vanishes; whatever was in flight is gone with it. */
  unplug(): void {
    this.wanted = false;
    this.unplugs++;
    this.fifo = [];
    // At once, not in the queued step: a power-on in the same tick (off and on frames read in
    // one chunk) prints its first lines synchronously, and they must wait for the new pair
    // instead of going to the old one, which is about to vanish.
    const end = this.end;
    this.end = undefined;
    this.enqueue(() => {
      this.adapter.unplug();
      if (end?.isOpen) end.close(() => undefined);
      return Promise.resolve();
    });
  }

  /** Resolves when pending plug/unplug work is done (tests, and close()). */
  settled(): Promise<void> {
    return this.ops;
  }

  async close(): Promise<void> {
    this.device.uart.off('tx', this.onTx);
    this.unplug();
    await this.ops;
  }

  private tx(b: Buffer): void {
    if (!this.wanted) return;
    if (this.end && this.fifo.length === 0) this.end.write(b);
    else this.fifo.push(b);
  }

  private enqueue(op: () => Promise<void>): void {
    this.ops = this.ops.then(op).catch((e: Error) => this.log(`${this.device.name}: simulated USB-serial adapter: ${e.message}`));
  }
}

/** The board's supply as the power switch sees it: the adapter goes on and off with the board. */
export class AdapterPoweredSupply implements SimSupply {
  constructor(
    private readonly device: SimDevice,
    private readonly uart: SimPtyUart,
  ) {}

  get powered(): boolean {
    return this.device.powered;
  }

  powerOn(): void {
    if (this.device.powered) return;
    this.uart.plug();
    this.device.powerOn();
  }

  powerOff(): void {
    this.device.powerOff();
    this.uart.unplug();
  }
}
