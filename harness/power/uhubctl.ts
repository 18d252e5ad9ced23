// Per-port power on a smart USB hub through uhubctl (Debian package uhubctl, installed in
// /usr/sbin). uhubctl prints the port status before and after switching; we read the "New status"
// it reports and fail if the port did not follow, because a ganged or fake-PPPS hub accepts the
// request and keeps the power on.
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { ToolTimeout } from '../rig/schema-parts.ts';
import { PowerError, type PowerContext, type PowerState, type SyncPowerSwitch, type PowerSwitch } from './power-switch.ts';
import { runTool, runToolSync, tail, type ToolSpec } from './run-tool.ts';

type UhubctlConfig = Static<typeof uhubctlPower.schema>;

const DRIVER = 'uhubctl';

export class UhubctlPowerSwitch implements SyncPowerSwitch {
  readonly description: string;
  private readonly spec: ToolSpec;

  constructor(
    private readonly config: UhubctlConfig,
    ctx: PowerContext,
  ) {
    this.description = `uhubctl hub ${config.location} port ${config.port}`;
    this.spec = {
      board: ctx.board,
      driver: DRIVER,
      tool: 'uhubctl',
      debianPackage: 'uhubctl',
      fallbackDirs: ['/usr/sbin', '/sbin', '/usr/local/sbin'],
      timeoutMs: config.timeoutMs ?? 10_000,
    };
  }

  private args(action?: 'on' | 'off'): string[] {
    const a = ['-l', this.config.location, '-p', String(this.config.port)];
    if (!action) return a;
    if (action === 'off' && this.config.repeat) a.push('-r', String(this.config.repeat));
    return [...a, '-a', action];
  }

  private async set(target: 'on' | 'off'): Promise<void> {
    this.verify(target, (await runTool(this.spec, this.args(target))).stdout);
  }

  private verify(target: 'on' | 'off', stdout: string): void {
    const got = parseUhubctl(stdout, this.config.port, 'New status');
    if (got !== target) {
      throw new PowerError(
        this.spec.board,
        DRIVER,
        `asked to switch port ${this.config.port} of hub ${this.config.location} ${target}, but uhubctl reports it ${got}: ${tail(stdout)}`,
      );
    }
  }

  on(): Promise<void> {
    return this.set('on');
  }

  off(): Promise<void> {
    return this.set('off');
  }

  setSync(state: 'on' | 'off'): void {
    this.verify(state, runToolSync(this.spec, this.args(state)).stdout);
  }

  async state(): Promise<PowerState> {
    return parseUhubctl((await runTool(this.spec, this.args())).stdout, this.config.port, 'Current status');
  }

  async close(): Promise<void> {}
}

/**
 * Reads the power of `port` from uhubctl's output. Each hub block starts "Current status for hub
 * L [...]" (or "New status ..." after an action) and lists "  Port N: SSSS flags"; the flags hold
 * "power" when powered and "off" when not. A USB 3 hub appears twice (its USB 2 and USB 3 halves):
 * any half still powered means the board is still powered.
 */
export function parseUhubctl(stdout: string, port: number, block: 'Current status' | 'New status'): PowerState {
  const lines = stdout.split(/\r?\n/);
  const hasBlock = lines.some((l) => l.startsWith(`${block} for hub`));
  let inBlock = !hasBlock; // a tool that prints bare port lines is read as is
  const seen: Array<'on' | 'off'> = [];
  for (const line of lines) {
    if (/^(Current|New) status for hub/.test(line)) {
      inBlock = line.startsWith(block);
      continue;
    }
    const m = /^\s+Port (\d+): [0-9a-fA-F]{4}(.*)$/.exec(line);
    if (!inBlock || !m || Number(m[1]) !== port) continue;
    const flags = m[2]!.replace(/\[.*$/, '').trim().split(/\s+/); // [...] is the attached device's name
    if (flags.includes('power')) seen.push('on');
    else if (flags.includes('off')) seen.push('off');
  }
  if (seen.length === 0) return 'unknown';
  return seen.includes('on') ? 'on' : 'off';
}

/** Rig entry `power: { kind: 'uhubctl', ... }`. */
export const uhubctlPower = defineKind({
  kind: 'uhubctl',
  description: 'per-port power switching on a smart USB hub, through uhubctl',
  options: {
    location: Type.String({ pattern: '^[0-9]+(-[0-9]+(\\.[0-9]+)*)?$', description: 'hub location as uhubctl prints it, e.g. 1-1.4' }),
    port: Type.Integer({ minimum: 1, maximum: 31 }),
    repeat: Type.Optional(Type.Integer({ minimum: 1, description: 'uhubctl -r: repeat the power-off request (some hubs need it)' })),
    timeoutMs: ToolTimeout,
  },
  create: (config, ctx: PowerContext): PowerSwitch => new UhubctlPowerSwitch(config, ctx),
});
