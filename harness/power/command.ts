// Power switched by commands the rig names (a vendor CLI, a script, ssh to a PDU...). Each is an
// argv array run without a shell, so a board name or path with spaces cannot change its meaning.
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { Argv, Ms } from '../rig/schema-parts.ts';
import { PowerError, type PowerContext, type PowerState, type SyncPowerSwitch, type PowerSwitch } from './power-switch.ts';
import { runTool, runToolSync, type ToolSpec } from './run-tool.ts';

type CommandConfig = Static<typeof commandPower.schema>;

const DRIVER = 'command';

export class CommandPowerSwitch implements SyncPowerSwitch {
  readonly description: string;
  private readonly onPattern: RegExp | undefined;

  constructor(
    private readonly config: CommandConfig,
    private readonly ctx: PowerContext,
  ) {
    this.description = `command ${config.on.join(' ')} / ${config.off.join(' ')}`;
    try {
      this.onPattern = config.onPattern === undefined ? undefined : new RegExp(config.onPattern, 'm');
    } catch (e) {
      throw new PowerError(ctx.board, DRIVER, `onPattern is not a valid regular expression: ${(e as Error).message}`);
    }
  }

  private spec(argv: string[]): ToolSpec {
    return { board: this.ctx.board, driver: DRIVER, tool: argv[0]!, timeoutMs: this.config.timeoutMs ?? 10_000 };
  }

  private async run(argv: string[]): Promise<string> {
    return (await runTool(this.spec(argv), argv.slice(1))).stdout;
  }

  async on(): Promise<void> {
    await this.run(this.config.on);
  }

  async off(): Promise<void> {
    await this.run(this.config.off);
  }

  setSync(state: 'on' | 'off'): void {
    const argv = state === 'on' ? this.config.on : this.config.off;
    runToolSync(this.spec(argv), argv.slice(1));
  }

  /**
   * With onPattern: 'on' when the state command's output matches it, else 'off'. Without: the
   * output must be just on/off/1/0, anything else is 'unknown' rather than a guess.
   */
  async state(): Promise<PowerState> {
    if (!this.config.state) return 'unknown';
    const out = await this.run(this.config.state);
    if (this.onPattern) return this.onPattern.test(out) ? 'on' : 'off';
    const word = out.trim().toLowerCase();
    if (word === 'on' || word === '1') return 'on';
    if (word === 'off' || word === '0') return 'off';
    return 'unknown';
  }

  async close(): Promise<void> {}
}

/** Rig entry `power: { kind: 'command', ... }`. */
export const commandPower = defineKind({
  kind: 'command',
  options: {
    on: Argv,
    off: Argv,
    state: Type.Optional(Argv),
    onPattern: Type.Optional(Type.String({ description: 'regex the state command prints when on' })),
    timeoutMs: Type.Optional(Ms),
  },
  create: (config, ctx: PowerContext): PowerSwitch => new CommandPowerSwitch(config, ctx),
});
