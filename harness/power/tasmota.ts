// A smart plug or relay board running Tasmota, switched over its HTTP command API:
// GET /cm?cmnd=Power<N>%20On|Off (and bare Power<N> to read), answered {"POWER<N>":"ON"|"OFF"}
// (a single-relay device answers "POWER"). With a web password set, user and password go in the
// query. Every switch is read back from the answer; a relay that did not follow is an error.
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { PowerError, type PowerContext, type PowerState, type PowerSwitch } from './power-switch.ts';

const DRIVER = 'tasmota';

type TasmotaConfig = Static<typeof tasmotaPower.schema>;

export class TasmotaPowerSwitch implements PowerSwitch {
  readonly description: string;
  private readonly ms: number;

  constructor(
    private readonly config: TasmotaConfig,
    private readonly ctx: PowerContext,
  ) {
    this.description = `tasmota ${config.host} relay ${config.relay ?? 1}`;
    this.ms = config.timeoutMs ?? 5000;
  }

  on(): Promise<void> {
    return this.set('on');
  }

  off(): Promise<void> {
    return this.set('off');
  }

  state(): Promise<PowerState> {
    return this.command('');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async set(target: 'on' | 'off'): Promise<void> {
    const got = await this.command(target === 'on' ? ' On' : ' Off');
    if (got !== target) throw this.fail(`asked to switch relay ${this.config.relay ?? 1} ${target}, but the device reports it ${got}`);
  }

  /** Send Power<N><arg> and read the relay's state from the answer. */
  private async command(arg: string): Promise<PowerState> {
    const relay = this.config.relay ?? 1;
    const url = new URL(`http://${this.config.host}/cm`);
    url.searchParams.set('cmnd', `Power${relay}${arg}`);
    if (this.config.user !== undefined) url.searchParams.set('user', this.config.user);
    if (this.config.password !== undefined) url.searchParams.set('password', this.config.password);
    const shown = `${this.config.host} cmnd=Power${relay}${arg}`;
    let body: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.ms) });
      body = await res.text();
      if (res.status === 401) throw this.fail(`${shown}: 401 Unauthorized (set "user" and "password" to the device's web admin login)`);
      if (!res.ok) throw this.fail(`${shown}: HTTP ${res.status} ${body.slice(0, 200)}`);
    } catch (e) {
      if (e instanceof PowerError) throw e;
      const why = (e as Error).name === 'TimeoutError' ? `no answer within ${this.ms} ms` : (e as Error).message;
      throw this.fail(`${shown}: ${why}`, e);
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      throw this.fail(`${shown}: not a Tasmota answer: ${body.slice(0, 200)}`);
    }
    const value = json[`POWER${relay}`] ?? (relay === 1 ? json.POWER : undefined);
    if (value === 'ON') return 'on';
    if (value === 'OFF') return 'off';
    if (json.Command === 'Unknown') throw this.fail(`${shown}: the device has no relay ${relay}`);
    throw this.fail(`${shown}: the answer names no state for relay ${relay}: ${body.slice(0, 200)}`);
  }

  private fail(detail: string, cause?: unknown): PowerError {
    return new PowerError(this.ctx.board, DRIVER, detail, cause === undefined ? undefined : { cause });
  }
}

/** Rig entry `power: { kind: 'tasmota', host, relay?, user?, password?, timeoutMs? }`. */
export const tasmotaPower = defineKind({
  kind: 'tasmota',
  description: 'a Tasmota smart plug or relay board, over its HTTP command API (/cm?cmnd=Power<N> On|Off)',
  options: {
    host: Type.String({ pattern: '^[^\\s/:]+(:[0-9]{1,5})?$', description: "the device's address, host or host:port" }),
    relay: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, description: 'relay number, as Power<N> counts (default 1)' })),
    user: Type.Optional(Type.String({ description: 'web admin user, when a web password is set (Tasmota: admin)' })),
    password: Type.Optional(Type.String()),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'ms before one request is abandoned (default 5000)' })),
  },
  create: (config, ctx: PowerContext): PowerSwitch => new TasmotaPowerSwitch(config, ctx),
});
