// The simulated board's supply: switching is instant and synchronous, like flipping a bench
// supply, so the cut lands exactly where the scenario asked for it.
import { defineKind } from '../rig/kind.ts';
import { PowerError, type PowerContext, type PowerState, type SyncPowerSwitch, type PowerSwitch } from './power-switch.ts';

/** What the switch needs of a simulated board (harness/sim/device.ts SimDevice has it). */
export interface SimSupply {
  powerOn(): void;
  powerOff(): void;
  readonly powered: boolean;
}

export class SimPowerSwitch implements SyncPowerSwitch {
  readonly description = 'simulated supply';
  private readonly sim: SimSupply;

  constructor(ctx: { board: string; sim?: SimSupply }) {
    if (!ctx.sim) throw new PowerError(ctx.board, 'sim', 'power kind "sim" needs the simulated board, and none was given');
    this.sim = ctx.sim;
  }

  on(): Promise<void> {
    this.sim.powerOn();
    return Promise.resolve();
  }

  off(): Promise<void> {
    this.sim.powerOff();
    return Promise.resolve();
  }

  setSync(state: 'on' | 'off'): void {
    if (state === 'on') this.sim.powerOn();
    else this.sim.powerOff();
  }

  state(): Promise<PowerState> {
    return Promise.resolve(this.sim.powered ? 'on' : 'off');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Rig entry `power: { kind: 'sim' }`. */
export const simPower = defineKind({
  kind: 'sim',
  description: "the simulated board's supply",
  options: {},
  create: (_config, ctx: PowerContext): PowerSwitch => new SimPowerSwitch(ctx),
});
