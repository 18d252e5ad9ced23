// A serialport binding whose "ports" are simulated boards' UARTs. The harness opens them with the
// same Console class it uses for real adapters, so the sim exercises the hardware code path.
import type { BindingInterface, BindingPortInterface, OpenOptions, PortInfo, PortStatus, SetOptions } from '@serialport/bindings-interface';
import type { SimDevice } from '../sim/device.ts';

const devices = new Map<string, SimDevice>();

export const simPortPath = (board: string) => `sim:${board}`;

/** Make a simulated board's UART openable at sim:<board>; returns the unregister function. */
export function attachSimPort(device: SimDevice): () => void {
  const path = simPortPath(device.name);
  if (devices.has(path)) throw new Error(`${device.name}: a simulated board with this name is already attached`);
  devices.set(path, device);
  return () => devices.delete(path);
}

class SimPort implements BindingPortInterface {
  isOpen = true;
  private queue: Buffer[] = [];
  private pending: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private readonly onTx = (b: Buffer) => {
    this.queue.push(b);
    this.pending?.resolve();
  };

  constructor(
    private readonly device: SimDevice,
    readonly openOptions: Required<OpenOptions>,
  ) {
    device.uart.on('tx', this.onTx);
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    while (this.queue.length === 0) {
      if (!this.isOpen) throw Object.assign(new Error('port closed'), { canceled: true });
      await new Promise<void>((resolve, reject) => (this.pending = { resolve, reject }));
      this.pending = null;
    }
    const head = this.queue[0]!;
    const n = head.copy(buffer, offset, 0, Math.min(length, head.length));
    if (n === head.length) this.queue.shift();
    else this.queue[0] = head.subarray(n);
    return { buffer, bytesRead: n };
  }

  write(buffer: Buffer): Promise<void> {
    if (!this.isOpen) return Promise.reject(Object.assign(new Error('port closed'), { canceled: true }));
    this.device.receive(Buffer.from(buffer));
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.isOpen = false;
    this.device.uart.off('tx', this.onTx);
    this.pending?.reject(Object.assign(new Error('port closed'), { canceled: true }));
    return Promise.resolve();
  }

  update(): Promise<void> { return Promise.resolve(); }
  /** DTR and RTS reach the board's auto-reset circuit (EN and GPIO0), as on a dev board. */
  set(options: SetOptions): Promise<void> {
    this.device.setControlLines({ dtr: options.dtr, rts: options.rts });
    return Promise.resolve();
  }
  get(): Promise<PortStatus> { return Promise.resolve({ cts: true, dsr: true, dcd: true }); }
  getBaudRate(): Promise<{ baudRate: number }> { return Promise.resolve({ baudRate: this.openOptions.baudRate }); }
  flush(): Promise<void> { this.queue = []; return Promise.resolve(); }
  drain(): Promise<void> { return Promise.resolve(); }
}

export const SimBinding: BindingInterface = {
  list(): Promise<PortInfo[]> {
    return Promise.resolve(
      [...devices.keys()].map((path) => ({ path, manufacturer: 'ota-hil', serialNumber: path, pnpId: undefined, locationId: undefined, productId: undefined, vendorId: undefined })),
    );
  },
  open(options: OpenOptions): Promise<BindingPortInterface> {
    const device = devices.get(options.path);
    if (!device) return Promise.reject(new Error(`no simulated board at ${options.path}`));
    const full = { dataBits: 8, lock: true, stopBits: 1, parity: 'none', rtscts: false, xon: false, xoff: false, xany: false, hupcl: true, ...options } as Required<OpenOptions>;
    return Promise.resolve(new SimPort(device, full));
  },
};
