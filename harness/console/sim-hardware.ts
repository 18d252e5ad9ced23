// The parts of a simulated board the harness reaches the way it reaches hardware: its UART
// (in-process binding, or a pseudo-terminal adapter that vanishes with the power) and its supply
// (the 'sim' switch, a simulated LCUS relay on a pseudo-terminal driven by the real serial-relay
// driver, or a power kind of a user's own, which gets the supply as its context's `sim`). Everything lives in a temp dir of its own, so parallel workers that
// simulate the same board name never share anything.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { BindingInterface } from '@serialport/bindings-interface';
import type { BoardConfig, PowerConfig } from '../rig/schema.ts';
import type { SimDevice } from '../sim/device.ts';
import type { SimSupply } from '../power/sim.ts';
import { SimBinding, attachSimPort, simPortPath } from './sim-binding.ts';
import { PtyAdapter } from './pty-adapter.ts';
import { AdapterPoweredSupply, SimPtyUart } from './sim-pty.ts';
import { SimLcusRelay } from './sim-relay.ts';
import { ownedTempDir } from '../fixtures/temp-dirs.ts';
import { powerKinds } from '../power/registry.ts';

export interface SimHardware {
  /** What the console opens: sim:<board> through `binding`, or the adapter's by-id link. */
  consolePath: string;
  binding?: BindingInterface;
  /** The rig's power config, with a simulated relay's port filled in. */
  power: PowerConfig;
  /** What a 'sim' power switch switches. */
  supply: SimSupply;
  /** One line saying how the board is reached, for CLI output and logs. */
  description: string;
  close(): Promise<void>;
}

export async function simHardware(device: SimDevice, config: BoardConfig, log: (line: string) => void = () => undefined): Promise<SimHardware> {
  const name = config.name;
  const closers: (() => void | Promise<void>)[] = [];
  const close = async () => {
    // Idempotent: a board that fails half-way open is closed by more than one path.
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    let consolePath: string;
    let binding: BindingInterface | undefined;
    let supply: SimSupply = device;
    let dir: string | undefined;
    const tempDir = () => {
      if (!dir) {
        // Named with our pid: a run killed before it could remove it has it removed by the next.
        const d = ownedTempDir('sim', name);
        closers.push(() => rmSync(d, { recursive: true, force: true }));
        dir = d;
      }
      return dir;
    };
    const parts: string[] = [];
    if ((config.sim?.uart ?? 'in-process') === 'pty') {
      const adapter = new PtyAdapter(path.join(tempDir(), 'serial', 'by-id', `usb-ota-hil_sim_${name}-if00-port0`), name);
      const uart = new SimPtyUart(device, adapter, log);
      closers.push(() => uart.close());
      supply = new AdapterPoweredSupply(device, uart);
      consolePath = adapter.link;
      parts.push(`UART on a pseudo-terminal behind ${adapter.link} (gone while the board is off)`);
    } else {
      closers.push(attachSimPort(device));
      consolePath = simPortPath(name);
      binding = SimBinding;
      parts.push('UART in-process');
    }
    let power = config.power;
    if (power.kind === 'serial-relay' && 'sim' in power.port) {
      const relay = await SimLcusRelay.start({ board: name, supply, channel: power.channel, dir: path.join(tempDir(), 'relay'), log });
      closers.push(() => relay.close());
      power = { ...power, port: { path: relay.path } };
      parts.push(`supply switched by a simulated LCUS relay (channel ${power.channel}) at ${relay.path}`);
    } else if (power.kind === 'sim') {
      parts.push('supply switched in-process');
    } else if (powerKinds.isUserKind(power.kind)) {
      parts.push(`supply switched by power kind "${power.kind}" (registered by your config; it gets the supply as ctx.sim)`);
    } else {
      throw new Error(`${name}: a simulated board's supply is switched by power kind "sim", a "serial-relay" with port {"sim": true} or a power kind of your own, not "${power.kind}"`);
    }
    return { consolePath, binding, power, supply, description: `simulated board ${name} (in this process): ${parts.join('; ')}`, close };
  } catch (e) {
    await close();
    throw e;
  }
}
