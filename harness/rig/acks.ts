// The line a board prints once a console command the harness typed has taken effect. A command
// whose acknowledgement is not awaited races the next step (a power cut before `mcuboot confirm`
// was acted on reverts a good update). Each stack's firmware answers its commit command in its
// own way; the rig's `expect` overrides it. Applied once, when the rig is loaded.
import type { BoardConfig, StackName } from './schema.ts';
import type { RigProblem } from './load.ts';

/** Regex of the acknowledgement of a console-command commit, by stack (as the firmware prints it). */
export const COMMIT_ACK: Partial<Record<StackName, string>> = {
  // Zephyr app with the MCUboot image API: "Image confirmed" / "Image already confirmed".
  mcuboot: 'Image (already )?confirmed',
  // ESP-IDF app's `ota confirm`: esp_ota_mark_app_valid_cancel_rollback() reported.
  'esp-idf': 'app marked valid|already valid',
  // Mongoose OS (also on rBoot): OTA.Commit is an RPC frame on the console; its reply frame.
  'mongoose-os': '^\\{"id":\\d+,"src":"[^"]*","result"',
  rboot: '^\\{"id":\\d+,"src":"[^"]*","result"',
};

/** How long a commit command may go unacknowledged, ms, unless the rig says. */
export const COMMIT_ACK_TIMEOUT_MS = 10_000;

/** The board with its commit's acknowledgement filled in; a problem when there is none to fill. */
export function withCommitAck(b: BoardConfig, at: string, problems: RigProblem[]): BoardConfig {
  const c = b.commit;
  if (c?.kind !== 'console-command' || c.expect !== undefined) return b;
  const ack = COMMIT_ACK[b.stack];
  if (ack === undefined) {
    problems.push({
      pointer: `${at}/commit`,
      message: `a ${b.stack} board has no known acknowledgement of a console command: add "expect", the regex of the line the board prints once ${JSON.stringify(c.command)} took effect`,
    });
    return b;
  }
  return { ...b, commit: { ...c, expect: ack } };
}
