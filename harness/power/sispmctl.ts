// Gembird SiS-PM / EG-PMS USB power strips through sispmctl (Debian package sispmctl).
// Options are applied in order, so the device selector (-D serial or -d number) must come before
// the action. `-q -g N` prints just "on" or "off".
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { ToolTimeout } from '../rig/schema-parts.ts';
import { PowerError, type PowerContext, type PowerState, type SyncPowerSwitch, type PowerSwitch } from './power-switch.ts';
import { runTool, runToolSync, tail, type ToolSpec } from './run-tool.ts';

type SispmctlConfig = Static<typeof sispmctlPower.schema>;

const DRIVER = 'sispmctl';

export class SispmctlPowerSwitch implements SyncPowerSwitch {
  readonly description: string;
  private readonly spec: ToolSpec;

  constructor(
    private readonly config: SispmctlConfig,
    ctx: PowerContext,
  ) {
    if (config.serial !== undefined && config.device !== undefined) {
      throw new PowerError(ctx.board, DRIVER, 'give either "serial" or "device", not both');
    }
    const which = config.serial ? ` ${config.serial}` : config.device !== undefined ? ` #${config.device}` : '';
    this.description = `sispmctl${which} outlet ${config.outlet}`;
    this.spec = { board: ctx.board, driver: DRIVER, tool: 'sispmctl', debianPackage: 'sispmctl', timeoutMs: config.timeoutMs ?? 10_000 };
  }

  private args(...action: string[]): string[] {
    const sel = this.config.serial ? ['-D', this.config.serial] : this.config.device !== undefined ? ['-d', String(this.config.device)] : [];
    return [...sel, ...action, String(this.config.outlet)];
  }

  private async set(target: 'on' | 'off'): Promise<void> {
    await runTool(this.spec, this.args(target === 'on' ? '-o' : '-f'));
    this.confirm(target, await this.state());
  }

  private confirm(target: 'on' | 'off', got: PowerState): void {
    if (got !== target) throw new PowerError(this.spec.board, DRIVER, `switched ${this.description} ${target}, but it reads back ${got}`);
  }

  on(): Promise<void> {
    return this.set('on');
  }

  off(): Promise<void> {
    return this.set('off');
  }

  setSync(state: 'on' | 'off'): void {
    runToolSync(this.spec, this.args(state === 'on' ? '-o' : '-f'));
    this.confirm(state, this.parse(runToolSync(this.spec, this.args('-q', '-g')).stdout));
  }

  async state(): Promise<PowerState> {
    return this.parse((await runTool(this.spec, this.args('-q', '-g'))).stdout);
  }

  private parse(stdout: string): PowerState {
    const word = stdout.trim().split(/\s+/).pop()?.toLowerCase();
    if (word === 'on' || word === '1') return 'on';
    if (word === 'off' || word === '0') return 'off';
    throw new PowerError(this.spec.board, DRIVER, `cannot read the outlet state from sispmctl: ${tail(stdout)}`);
  }

  async close(): Promise<void> {}
}

/** Rig entry `power: { kind: 'sispmctl', ... }`. */
export const sispmctlPower = defineKind({
  kind: 'sispmctl',
  description: 'Gembird SiS-PM / EG-PMS USB power strip, through sispmctl',
  options: {
    outlet: Type.Integer({ minimum: 1, maximum: 4 }),
    serial: Type.Optional(Type.String({ description: 'sispmctl -D: the device serial, e.g. 01:01:56:a2:f1' })),
    device: Type.Optional(Type.Integer({ minimum: 0, description: 'sispmctl -d: device number in scan order' })),
    timeoutMs: ToolTimeout,
  },
  create: (config, ctx: PowerContext): PowerSwitch => new SispmctlPowerSwitch(config, ctx),
});
