// One profile per update stack: a thin table that points at where each part of a stack lives,
// so what the harness knows about a stack is found in one place. The boot-log parser stays in
// harness/bootlog, the promises in harness/fixtures/promises.ts, the simulator in harness/sim.
import type { FirmwareConfig, StackName } from '../rig/schema.ts';
import type { BootLogParser } from '../bootlog/boot.ts';
import { parserFor } from '../bootlog/registry.ts';
import { promisesOf, type StackPromises } from '../fixtures/promises.ts';

export interface StackProfile {
  readonly name: StackName;
  /** Reads boots (slot, event, version) from the console. */
  readonly parser: BootLogParser;
  /** What the stack promises at each fault, for firmware built as the rig's `firmware` says. */
  promises(firmware?: FirmwareConfig): StackPromises;
  /** The slot names its parser reports (besides `none` when nothing boots). */
  readonly slots: readonly string[];
  /** OTA transports its firmware offers (the simulated app's startDeviceTransports), besides the rig's own. */
  readonly transports: readonly string[];
}

type Row = Pick<StackProfile, 'slots' | 'transports'>;

const ROWS: Record<StackName, Row> = {
  mcuboot: { slots: ['primary', 'secondary'], transports: ['smp'] },
  'esp-idf': { slots: ['factory', 'ota_0', 'ota_1'], transports: ['http-push'] },
  'mongoose-os': { slots: ['app_0', 'app_1'], transports: ['mos-rpc', 'http-push'] },
  rboot: { slots: ['rom0', 'rom1'], transports: ['mos-rpc', 'http-push'] }, // Mongoose OS on ESP8266 behind Cesanta's rBoot
  'esp8266-arduino': { slots: ['sketch'], transports: ['espota', 'http-push'] },
  zerynth: { slots: ['bc0', 'bc1'], transports: [] },
  particle: { slots: ['user', 'safe-mode'], transports: [] },
};

/** The profile of `stack`; parser and promises are looked up when used, not copied. */
export function stackProfile(stack: StackName): StackProfile {
  const row = ROWS[stack];
  if (!row) throw new Error(`no stack profile for ${JSON.stringify(stack)} in harness/stacks/profiles.ts`);
  return {
    name: stack,
    get parser() {
      return parserFor(stack);
    },
    promises: (firmware) => promisesOf(stack, firmware),
    ...row,
  };
}
