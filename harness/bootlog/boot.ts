// What a boot-log parser yields. Parsers read console text only: never the simulator's state.
import type { StackName } from '../rig/schema.ts';

export const BOOT_EVENTS = ['normal', 'trial', 'swap', 'swap-resumed', 'revert', 'rollback', 'brick', 'unknown'] as const;
export type BootEvent = (typeof BOOT_EVENTS)[number];

export interface Boot {
  /** Order in the log, from 0. */
  index: number;
  /** What runs: 'primary', 'ota_0', 'rom1', 'sketch', ...; 'none' when nothing runs; null when the log does not show it. */
  slot: string | null;
  event: BootEvent;
  /** Version of the application that runs, when the log shows it. */
  version: string | null;
  /** Line indices (into the parsed lines) of the boot's first and last line. */
  startLine: number;
  endLine: number;
  /** Line indices that decided slot, event or version: quoted in failure messages. */
  evidence: number[];
  /** The application came up, or the boot definitely failed; false while it may still go on. */
  complete: boolean;
  /** Short remarks (e.g. "app crashed: ZEPHYR FATAL ERROR"). */
  notes: string[];
}

export interface BootLogParser {
  readonly stack: StackName;
  /** Split console lines into boots. Never throws: garbage yields 'unknown'. */
  parse(lines: readonly string[]): Boot[];
  /** 0..1: how sure the parser is that these lines come from its stack (for --stack auto). */
  detect(lines: readonly string[]): number;
  /**
   * Set when a boot's result depends on lines far from it, not only on its own, the few boots
   * before it and a few lines after: a growing log is then parsed whole at every line, not from a
   * few boots back (follow.ts).
   */
  readonly wholeLog?: boolean;
}

export interface BootLogSummary {
  stack: StackName;
  boots: Boot[];
  final: { slot: string | null; event: BootEvent; version: string | null };
}
