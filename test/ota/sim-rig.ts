// A simulated board reached as a scenario reaches it: SimDevice, its UART through serialport and
// the sim binding into a Console, and a transport built from a rig-style config.
import type { SimStack } from '../../harness/sim/stack.ts';
import { SimDevice } from '../../harness/sim/device.ts';
import { Console } from '../../harness/console/console.ts';
import { SimBinding, attachSimPort, simPortPath } from '../../harness/console/sim-binding.ts';
import type { TransportConfig, SimConfig } from '../../harness/rig/schema.ts';
import { createTransport } from '../../harness/ota/registry.ts';
import type { FirmwareImage } from '../../harness/fixtures/images.ts';

export async function simRig<T extends TransportConfig>(name: string, stack: SimStack, transport: T, sim: SimConfig = {}) {
  const device = new SimDevice(name, stack, { timeScale: 1000, ...sim });
  const detach = attachSimPort(device);
  const console = await Console.open({ board: name, path: simPortPath(name), baudRate: 115200, binding: SimBinding });
  const t = createTransport(transport, { board: name, console, port: simPortPath(name) });
  const close = async () => {
    await t.close();
    device.powerOff();
    await device.settled();
    await console.close();
    detach();
  };
  return { device, console, transport: t, close };
}

export const testImage = (size: number, version = '1.1.0', name = 'candidate'): FirmwareImage => {
  const bytes = new Uint8Array(size).map((_, i) => (i * 31 + 7) & 0xff);
  return { name, version, bytes, corrupted: () => testImage(size, version, `${name}-corrupted`) };
};

export const image = (name: string, version: string, bytes: Uint8Array): FirmwareImage => ({ name, version, bytes, corrupted: () => image(name, version, bytes) });
