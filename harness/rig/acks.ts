// The line a board prints once a console command the harness typed has taken effect. A command
// whose acknowledgement is not awaited races the next step (a power cut before `mcuboot confirm`
// was acted on reverts a good update). The harness types two kinds of command: a commit
// (commit.command) and an update trigger (http-pull's trigger.consoleCommand); the device-manager
// commit and the RPC transports (mos-rpc, smp) wait for their own replies. Each stack's firmware
// answers in its own way; the rig's `expect` overrides it. Applied once, when the rig is loaded.
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

/**
 * Regex of the board's answer to an update trigger (http-pull), by stack: the download begun, or
 * the update deferred or refused as busy, which scenarios look for. Printed before the download,
 * so a hold point in it cannot hold the answer back.
 */
export const TRIGGER_ACK: Partial<Record<StackName, string>> = {
  // The Zephyr shell's `ota <url>` (the sample app the sim plays): before its HTTP GET.
  mcuboot: 'Starting download from ',
  // esp_https_ota examples: "Attempting to download update from <url>".
  'esp-idf': 'Attempting to download update from ',
  // OTA.Update on the console: mgos_ota_http_client's first line.
  'mongoose-os': 'Update URL: ',
  rboot: 'Update URL: ',
  // The sketch's `ota <url>` (ESPhttpUpdate).
  'esp8266-arduino': '^Update Start: url:',
  // zfota: the download, or busy while the running firmware is not accepted yet.
  zerynth: '^zfota: (downloading|busy)',
  // Device OS: begun, pending while updates are disabled, or busy with another.
  particle: '^sys: firmware_update( begin| busy|_pending)',
};

/**
 * Fills in the board's command acknowledgements, in place (the loader's own copy of the rig: no
 * copy per board); a problem for each there is none to fill.
 */
export function fillAcks(b: BoardConfig, at: string, problems: RigProblem[]): void {
  const c = b.commit;
  if (c?.kind === 'console-command' && c.expect === undefined) {
    const expect = COMMIT_ACK[b.stack];
    if (expect === undefined) problems.push(missing(b, `${at}/commit`, c.command));
    else c.expect = expect;
  }
  const t = b.transport;
  if (t.kind === 'http-pull' && t.trigger.expect === undefined) {
    const expect = TRIGGER_ACK[b.stack];
    if (expect === undefined) problems.push(missing(b, `${at}/transport/trigger`, t.trigger.consoleCommand));
    else t.trigger.expect = expect;
  }
}

const missing = (b: BoardConfig, pointer: string, command: string): RigProblem => ({
  pointer,
  message: `a ${b.stack} board has no known acknowledgement of a console command: add "expect", the regex of the line the board prints once ${JSON.stringify(command)} took effect`,
});
