// Yepkit YKUSH / YKUSH3 / YKUSHXS hubs through ykushcmd (Debian package ykush-control).
// ykushcmd exits 0 even when no board answers: it prints "Unable to open device" and then a
// made-up status such as "Downstream port 15 is ON". So we reject any output containing its
// failure messages, check the port number in the status line, and read the state back after
// every switch.
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { ToolTimeout } from '../rig/schema-parts.ts';
import { PowerError, type PowerContext, type PowerState, type SyncPowerSwitch, type PowerSwitch } from './power-switch.ts';
import { runTool, runToolSync, tail, type ToolResult, type ToolSpec } from './run-tool.ts';

type YkushConfig = Static<typeof ykushPower.schema>;

const DRIVER = 'ykush';
const FAILURE = /Unable to (open|write|read)|No YKUSH\w* boards found/i;

export class YkushPowerSwitch implements SyncPowerSwitch {
  readonly description: string;
  private readonly spec: ToolSpec;
  private readonly model: 'ykush' | 'ykush3' | 'ykushxs';

  constructor(
    private readonly config: YkushConfig,
    ctx: PowerContext,
  ) {
    this.model = config.model ?? 'ykush';
    if (this.model !== 'ykushxs' && config.port === undefined) {
      throw new PowerError(ctx.board, DRIVER, `a ${this.model} needs "port" (1-3)`);
    }
    const where = this.model === 'ykushxs' ? '' : ` port ${config.port}`;
    this.description = `${this.model}${config.serial ? ` ${config.serial}` : ''}${where}`;
    this.spec = { board: ctx.board, driver: DRIVER, tool: 'ykushcmd', debianPackage: 'ykush-control', timeoutMs: config.timeoutMs ?? 10_000 };
  }

  /** ykushcmd <model> [-s serial] -u|-d|-g [port]; the ykushxs has one port and takes no number. */
  private args(flag: '-u' | '-d' | '-g'): string[] {
    const a: string[] = [this.model];
    if (this.config.serial) a.push('-s', this.config.serial);
    a.push(flag);
    if (this.model !== 'ykushxs') a.push(String(this.config.port));
    return a;
  }

  private checked(r: ToolResult): string {
    const out = r.stdout + r.stderr;
    if (FAILURE.test(out)) throw new PowerError(this.spec.board, DRIVER, `ykushcmd could not reach the ${this.description}: ${tail(out)}`);
    return r.stdout;
  }

  private async set(target: 'on' | 'off'): Promise<void> {
    this.checked(await runTool(this.spec, this.args(target === 'on' ? '-u' : '-d')));
    this.confirm(target, await this.state());
  }

  private confirm(target: 'on' | 'off', got: PowerState): void {
    if (got !== target) {
      throw new PowerError(this.spec.board, DRIVER, `switched the ${this.description} ${target}, but it reads back ${got}`);
    }
  }

  on(): Promise<void> {
    return this.set('on');
  }

  off(): Promise<void> {
    return this.set('off');
  }

  setSync(state: 'on' | 'off'): void {
    this.checked(runToolSync(this.spec, this.args(state === 'on' ? '-u' : '-d')));
    this.confirm(state, this.parse(this.checked(runToolSync(this.spec, this.args('-g')))));
  }

  async state(): Promise<PowerState> {
    return this.parse(this.checked(await runTool(this.spec, this.args('-g'))));
  }

  /**
   * ykush: "Downstream port 1 is ON"; ykush3: "Port 1 ON"; ykushxs: "Downstream port is OFF".
   * A status for another port number than ours is the garbage of a failed query.
   */
  private parse(stdout: string): PowerState {
    const m = /Downstream port\s*(\d*)\s+is\s+(ON|OFF)|^\s*Port\s+(\d+)\s+(ON|OFF)/im.exec(stdout);
    if (!m) throw new PowerError(this.spec.board, DRIVER, `cannot read the port state from ykushcmd: ${tail(stdout)}`);
    const num = m[1] || m[3];
    const word = (m[2] ?? m[4])!.toUpperCase();
    if (this.model !== 'ykushxs' && num !== String(this.config.port)) {
      throw new PowerError(this.spec.board, DRIVER, `ykushcmd answered for port ${num || '?'} instead of ${this.config.port}: ${tail(stdout)}`);
    }
    return word === 'ON' ? 'on' : 'off';
  }

  async close(): Promise<void> {}
}

/** Rig entry `power: { kind: 'ykush', ... }`. */
export const ykushPower = defineKind({
  kind: 'ykush',
  description: 'Yepkit YKUSH switchable hub, through ykushcmd',
  options: {
    model: Type.Optional(Type.Union([Type.Literal('ykush'), Type.Literal('ykush3'), Type.Literal('ykushxs')], { default: 'ykush' })),
    serial: Type.Optional(Type.String({ description: 'board serial as `ykushcmd -l` lists it' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 3, description: 'downstream port (not used by the single-port ykushxs)' })),
    timeoutMs: ToolTimeout,
  },
  create: (config, ctx: PowerContext): PowerSwitch => new YkushPowerSwitch(config, ctx),
});
