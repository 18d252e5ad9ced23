// Picks the driver for a board's power config. Constructing a switch touches no hardware: the
// device is found on first use, so a rig can be loaded and listed on any machine.
import type { PowerConfig } from '../rig/schema.ts';
import { CommandPowerSwitch } from './command.ts';
import { HidRelayPowerSwitch } from './hid-relay.ts';
import { ManualPowerSwitch } from './manual.ts';
import type { PowerSwitch } from './power-switch.ts';
import { SerialRelayPowerSwitch } from './serial-relay.ts';
import { SimPowerSwitch, type SimSupply } from './sim.ts';
import { SispmctlPowerSwitch } from './sispmctl.ts';
import { UhubctlPowerSwitch } from './uhubctl.ts';
import { UsbrelayPowerSwitch } from './usbrelay.ts';
import { YkushPowerSwitch } from './ykush.ts';

export interface PowerSwitchContext {
  board: string;
  /** The simulated board, for kind 'sim'. */
  sim?: SimSupply;
}

export function createPowerSwitch(config: PowerConfig, ctx: PowerSwitchContext): PowerSwitch {
  switch (config.kind) {
    case 'sim': return new SimPowerSwitch(ctx);
    case 'manual': return new ManualPowerSwitch(config, ctx);
    case 'command': return new CommandPowerSwitch(config, ctx);
    case 'hid-relay': return new HidRelayPowerSwitch(config, ctx);
    case 'serial-relay': return new SerialRelayPowerSwitch(config, ctx);
    case 'uhubctl': return new UhubctlPowerSwitch(config, ctx);
    case 'ykush': return new YkushPowerSwitch(config, ctx);
    case 'sispmctl': return new SispmctlPowerSwitch(config, ctx);
    case 'usbrelay': return new UsbrelayPowerSwitch(config, ctx);
    default: return unknownKind(config);
  }
}

function unknownKind(config: never): never {
  throw new Error(`unknown power kind ${JSON.stringify((config as { kind?: unknown }).kind)}`);
}
