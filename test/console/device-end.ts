// The board's side of a pseudo-terminal adapter in console tests: writes what the board prints,
// collects what the harness types. Opened with serialport like any port, before the board prints.
import { SerialPort } from 'serialport';
import { closeSync, constants, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PtyAdapter } from '../../harness/console/pty-adapter.ts';

export class DeviceEnd {
  received = '';
  /**
   * A second, idle descriptor on the device end. serialport closes its own when the pair dies;
   * this one keeps the pty number taken until close(), so the next pair gets new numbers, as a
   * re-plugged adapter whose old node is still held gets a new ttyUSBn.
   */
  private readonly pin: number;
  private constructor(
    private readonly port: SerialPort,
    file: string,
  ) {
    this.pin = openSync(file, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    port.on('data', (b: Buffer) => (this.received += b.toString('latin1')));
    port.on('error', () => undefined);
  }

  static async open(file: string): Promise<DeviceEnd> {
    const port = new SerialPort({ path: file, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    return new DeviceEnd(port, file);
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.port.write(data, (e) => (e ? reject(e) : this.port.drain((d) => (d ? reject(d) : resolve())))));
  }

  close(): Promise<void> {
    try {
      closeSync(this.pin);
    } catch {
      // already closed
    }
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}

/** A serial root with by-id/ and by-path/ as udev makes them, and an adapter behind one link. */
export function adapterUnderRoot(byId = 'usb-FTDI_FT232R_USB_UART_A10KZP45-if00-port0'): { root: string; byId: string; adapter: PtyAdapter } {
  const root = mkdtempSync(path.join(tmpdir(), 'ota-hil-serial-'));
  const adapter = new PtyAdapter(path.join(root, 'by-id', byId), 'ftdi');
  return { root, byId, adapter };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` until it holds or `ms` passes; the failure message says what was awaited. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}
