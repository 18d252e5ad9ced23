// A console command the harness types waits for the board's acknowledgement: the line that shows
// the command took effect (its regex from the rig, or the stack's own, harness/rig/acks.ts, filled
// in by the rig loader). Without the wait the next step races the board: a power cut before
// `mcuboot confirm` was acted on reverts a good update.
import { Type } from '../typebox.ts';
import type { Console } from './console.ts';

/** How long a command may go unacknowledged, ms, unless the rig says. */
export const ACK_TIMEOUT_MS = 10_000;

/** Rig options of an acknowledged command, spread beside the command. */
export const AckOptions = {
  expect: Type.Optional(Type.String({ description: "regex of the line the board prints once the command took effect (default: the stack's own, harness/rig/acks.ts)" })),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: `ms to wait for the acknowledgement (default ${ACK_TIMEOUT_MS})` })),
};

/** The console as a command sender needs it (a commit method's CommitIo is one). */
export interface CommandIo {
  readonly board: string;
  send(line: string): Promise<void>;
  /** Index of the next console line. */
  mark(): number;
  expect(re: RegExp, from: number, timeoutMs: number): Promise<void>;
}

export function consoleIo(console: Console, board: string): CommandIo {
  return {
    board,
    send: (line) => console.send(line),
    mark: () => console.lines.length,
    expect: async (re, from, timeout) => void (await console.expect(re, { from, timeout })),
  };
}

/** Type `command` (`what` names it in errors) and wait for its acknowledgement. */
export async function sendAcknowledged(io: CommandIo, what: string, command: string, ack: { expect?: string; timeoutMs?: number }): Promise<void> {
  if (ack.expect === undefined) throw new Error(`${io.board}: ${what} ${JSON.stringify(command)} has no acknowledgement to wait for (a config not from loadRig?)`);
  const from = io.mark();
  await io.send(command);
  const timeout = ack.timeoutMs ?? ACK_TIMEOUT_MS;
  await io.expect(new RegExp(ack.expect), from, timeout).catch((e: Error) => {
    throw new Error(`${io.board}: ${what} ${JSON.stringify(command)} not acknowledged within ${timeout} ms (no line matching /${ack.expect}/): ${e.message.replace(`${io.board}: `, '')}`);
  });
}
