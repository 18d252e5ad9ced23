// A person switches the supply and confirms with Enter. Without a terminal nobody can answer, so
// instead of waiting forever (a CI job would hang until its own limit) it fails at once.
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { PowerError, type PowerContext, type PowerState, type PowerSwitch } from './power-switch.ts';
import { TimeoutError, withTimeout } from './timeout.ts';

type ManualConfig = Static<typeof manualPower.schema>;

const DRIVER = 'manual';

export interface ManualIo {
  input: Readable & { isTTY?: boolean };
  output: Writable;
  /** How long to wait for the operator; default 10 minutes. */
  timeoutMs?: number;
}

export class ManualPowerSwitch implements PowerSwitch {
  readonly description = 'manual (operator at the terminal)';
  /** What the operator last confirmed; the harness has no other way to know. */
  private confirmed: PowerState = 'unknown';
  private readonly io: ManualIo;

  constructor(
    private readonly config: ManualConfig,
    private readonly ctx: PowerContext,
    io?: ManualIo,
  ) {
    this.io = io ?? { input: process.stdin, output: process.stdout };
  }

  private async ask(state: 'on' | 'off'): Promise<void> {
    const { input, output } = this.io;
    if (!input.isTTY) {
      throw new PowerError(
        this.ctx.board,
        DRIVER,
        `switching power ${state} needs an operator, but standard input is not a terminal; ` +
          'run interactively, or give this board a power switch the harness can drive itself',
      );
    }
    const rl = createInterface({ input, output, terminal: true });
    const ac = new AbortController();
    // A rig prompt ("flip switch 3 on the bench") may say where; the state is always added.
    let text = this.config.prompt ?? 'Switch the power of board {board} {STATE}';
    if (!/\{state\}|\{STATE\}/.test(text)) text += ` (board {board}): switch power {STATE}`;
    text = text.replaceAll('{board}', this.ctx.board).replaceAll('{STATE}', state.toUpperCase()).replaceAll('{state}', state);
    const ms = this.io.timeoutMs ?? 600_000;
    try {
      await withTimeout(rl.question(`${text}, then press Enter (Ctrl-C aborts) `, { signal: ac.signal }), ms, 'waiting for the operator', () => ac.abort());
      this.confirmed = state;
    } catch (e) {
      const why = e instanceof TimeoutError ? `nobody confirmed within ${ms} ms` : `no confirmation: ${(e as Error).message}`;
      throw new PowerError(this.ctx.board, DRIVER, `switching power ${state}: ${why}`, { cause: e });
    } finally {
      rl.close();
    }
  }

  on(): Promise<void> {
    return this.ask('on');
  }

  off(): Promise<void> {
    return this.ask('off');
  }

  state(): Promise<PowerState> {
    return Promise.resolve(this.confirmed);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Rig entry `power: { kind: 'manual', ... }`. */
export const manualPower = defineKind({
  kind: 'manual',
  options: { prompt: Type.Optional(Type.String()) },
  create: (config, ctx: PowerContext): PowerSwitch => new ManualPowerSwitch(config, ctx),
});
