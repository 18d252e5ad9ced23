// USB HID relays through the usbrelay tool (Debian package usbrelay). usbrelay exits 0 even when
// the named relay is not attached (it only counts misses from the second argument on), so after
// every switch we list the relays again and fail unless our channel now shows the new state.
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { Channel, ToolTimeout } from '../rig/schema-parts.ts';
import { PowerError, type PowerContext, type PowerState, type SyncPowerSwitch, type PowerSwitch } from './power-switch.ts';
import { runTool, runToolSync, tail, type ToolResult, type ToolSpec } from './run-tool.ts';

type UsbrelayConfig = Static<typeof usbrelayPower.schema>;

const DRIVER = 'usbrelay';

export class UsbrelayPowerSwitch implements SyncPowerSwitch {
  readonly description: string;
  private readonly spec: ToolSpec;
  private readonly id: string;

  constructor(config: UsbrelayConfig, ctx: PowerContext) {
    this.id = `${config.serial}_${config.channel}`;
    this.description = `usbrelay ${this.id}`;
    this.spec = { board: ctx.board, driver: DRIVER, tool: 'usbrelay', debianPackage: 'usbrelay', timeoutMs: config.timeoutMs ?? 10_000 };
  }

  private async set(target: 'on' | 'off'): Promise<void> {
    await runTool(this.spec, [`${this.id}=${target === 'on' ? 1 : 0}`]);
    this.confirm(target, this.parse(await runTool(this.spec, [])));
  }

  private confirm(target: 'on' | 'off', got: PowerState): void {
    if (got !== target) {
      throw new PowerError(this.spec.board, DRIVER, `usbrelay ${this.id}=${target === 'on' ? 1 : 0} exited 0 but the relay reads back ${got}`);
    }
  }

  on(): Promise<void> {
    return this.set('on');
  }

  off(): Promise<void> {
    return this.set('off');
  }

  setSync(state: 'on' | 'off'): void {
    runToolSync(this.spec, [`${this.id}=${state === 'on' ? 1 : 0}`]);
    this.confirm(state, this.parse(runToolSync(this.spec, [])));
  }

  async state(): Promise<PowerState> {
    return this.parse(await runTool(this.spec, []));
  }

  /** Without arguments usbrelay prints one "SERIAL_N=0|1" line per channel of every relay found. */
  private parse({ stdout, stderr }: ToolResult): PowerState {
    for (const line of stdout.split(/\r?\n/)) {
      const eq = line.trim().lastIndexOf('=');
      if (eq < 0 || line.trim().slice(0, eq) !== this.id) continue;
      const v = line.trim().slice(eq + 1);
      if (v === '1') return 'on';
      if (v === '0') return 'off';
      return 'unknown'; // "-1": a board type whose state cannot be read
    }
    const found = stdout.trim() ? tail(stdout, 16) : 'no relays at all';
    const why = stderr.trim() ? `; it says: ${tail(stderr)}` : '';
    throw new PowerError(this.spec.board, DRIVER, `relay ${this.id} not found (usbrelay lists: ${found})${why}`);
  }

  async close(): Promise<void> {}
}

/** Rig entry `power: { kind: 'usbrelay', ... }`. */
export const usbrelayPower = defineKind({
  kind: 'usbrelay',
  description: 'USB HID relay through the usbrelay tool',
  options: {
    serial: Type.String({ minLength: 1, description: 'relay ID as `usbrelay` lists it (the part before _N=)' }),
    channel: Channel,
    timeoutMs: ToolTimeout,
  },
  create: (config, ctx: PowerContext): PowerSwitch => new UsbrelayPowerSwitch(config, ctx),
});
