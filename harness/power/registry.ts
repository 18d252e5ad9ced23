// Power kinds: a driver is one module declaring its rig options beside its factory
// (harness/rig/kind.ts); adding one is that file plus one line here.
import type { Static } from '../typebox.ts';
import { KindRegistry, unionOf, type AnyKindConfig } from '../rig/kind.ts';
import type { PowerContext, PowerSwitch } from './power-switch.ts';
import { simPower } from './sim.ts';
import { manualPower } from './manual.ts';
import { commandPower } from './command.ts';
import { hidRelayPower } from './hid-relay.ts';
import { serialRelayPower } from './serial-relay.ts';
import { uhubctlPower } from './uhubctl.ts';
import { ykushPower } from './ykush.ts';
import { sispmctlPower } from './sispmctl.ts';
import { usbrelayPower } from './usbrelay.ts';
import { tasmotaPower } from './tasmota.ts';

export const POWER_KINDS = [simPower, manualPower, commandPower, hidRelayPower, serialRelayPower, uhubctlPower, ykushPower, sispmctlPower, usbrelayPower, tasmotaPower] as const;

export const PowerUnion = unionOf(POWER_KINDS);
export const powerKinds = new KindRegistry<PowerContext, PowerSwitch>('power', POWER_KINDS);

export type PowerSwitchContext = PowerContext;

/** Constructing a switch touches no hardware: the device is found on first use. */
export function createPowerSwitch(config: Static<typeof PowerUnion> | AnyKindConfig, ctx: PowerContext): PowerSwitch {
  return powerKinds.create(config, ctx, ctx.board);
}
