// One update at a time per boot, whichever transport brings it, and the rule every device side
// follows: once the board's power or reset ends this boot, nothing is reported any more.
import type { DeviceContext } from '../stack.ts';
import type { UpdateSink } from '../update-sink.ts';

export class UpdateSession {
  busy: string | null = null;

  constructor(
    readonly ctx: DeviceContext,
    readonly sink: UpdateSink,
  ) {}

  /** Claim the updater for `who`; false when another transport holds it. */
  claim(who: string): boolean {
    if (this.busy && this.busy !== who) return false;
    this.busy = who;
    return true;
  }

  release(): void {
    this.busy = null;
  }

  /** Abort a half-received image unless the boot itself is over (then flash is what it is). */
  async abort(reason: string): Promise<void> {
    this.release();
    if (this.ctx.signal.aborted) return;
    await this.sink.abort(reason).catch(() => undefined);
  }

  /** Run the stack's activation (usually a reboot) outside any caller's promise chain. */
  activate(): void {
    this.release();
    void guard(this.ctx, () => this.sink.activate());
  }
}

/** Run `fn` for this boot: a reset or power cut thrown from inside it ends quietly. */
export async function guard(ctx: DeviceContext, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (ctx.signal.aborted) return;
    ctx.print(`*** transport fault: ${(e as Error)?.message ?? String(e)}`);
  }
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
