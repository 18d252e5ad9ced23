// The Web Serial API's SerialPort (what esptool-js drives) over a Node serialport binding, so
// Espressif's own JavaScript client can talk to a simulated board: bytes through the port's
// streams, setSignals() to DTR/RTS (node-serialport's set() takes both lines at once).
import { SerialPortStream } from '@serialport/stream';
import type { BindingInterface } from '@serialport/bindings-interface';

export class NodeWebSerialPort {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  private port: SerialPortStream | null = null;
  private lines = { dtr: false, rts: false };

  constructor(
    private readonly path: string,
    private readonly binding: BindingInterface,
  ) {}

  /** A CP2102 bridge, as on most ESP32 dev boards. */
  getInfo(): { usbVendorId: number; usbProductId: number } {
    return { usbVendorId: 0x10c4, usbProductId: 0xea60 };
  }

  async open(opts: { baudRate: number }): Promise<void> {
    const port = new SerialPortStream({ binding: this.binding, path: this.path, baudRate: opts.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    this.port = port;
    let onData: ((b: Buffer) => void) | null = null;
    this.readable = new ReadableStream<Uint8Array>({
      start(controller) {
        onData = (b: Buffer) => controller.enqueue(new Uint8Array(b));
        port.on('data', onData);
      },
      cancel() {
        if (onData) port.off('data', onData);
      },
    });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => new Promise<void>((resolve, reject) => port.write(Buffer.from(chunk), (e) => (e ? reject(e) : resolve()))),
    });
  }

  async setSignals(s: { dataTerminalReady?: boolean; requestToSend?: boolean; break?: boolean }): Promise<void> {
    this.lines = { dtr: s.dataTerminalReady ?? this.lines.dtr, rts: s.requestToSend ?? this.lines.rts };
    const port = this.port;
    if (!port) throw new Error('port not open');
    await new Promise<void>((resolve, reject) => port.set({ dtr: this.lines.dtr, rts: this.lines.rts }, (e) => (e ? reject(e) : resolve())));
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    this.readable = null;
    this.writable = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
