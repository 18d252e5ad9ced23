// Turns rig files into Playwright projects: one project per board, named "rig/board", so a run
// can be limited with --project or with a tag filter (OTA_HIL_BOARDS="arch=esp8266").
import type { Project } from '@playwright/test';
import { loadRig, RigError } from './load.ts';
import { matchesFilter, parseFilter } from './filter.ts';
import type { BoardOptions } from '../fixtures/test.ts';

/** Scenario files that drive a fleet (the `fleet` fixture) rather than one board. */
export const FLEET_SPECS = /fleet-[^/]*\.spec\.[cm]?[jt]s$/; // .js: the compiled library in node_modules

export function rigProjects(rigFiles: string[], filter: string | undefined): Project<object, BoardOptions>[] {
  const terms = filter ? parseFilter(filter) : [];
  const projects: Project<object, BoardOptions>[] = [];
  for (const file of rigFiles) {
    const rig = loadRig(file);
    for (const board of rig.boards.filter((b) => matchesFilter(b, terms))) {
      // A real board is one device: its scenarios run one after another, in one worker (a second
      // worker would only wait for the board's lock). Each worker simulates a board of its own.
      const workers = board.sim ? {} : { workers: 1 };
      // A real rig has contact problems a simulator has not: one more try (OTA_HIL_RETRIES), and
      // a pass on a retry is reported flaky (the gate fails it unless its policy allows flaky).
      const retries = board.sim ? 0 : Number(process.env.OTA_HIL_RETRIES ?? 1);
      projects.push({ name: `${rig.name}/${board.name}`, ...workers, retries, testIgnore: FLEET_SPECS, use: { rigFile: rig.file, boardName: board.name } });
    }
    // Fleet scenarios need many boards in one test: they run once per rig, over its simulated
    // boards, where it has two or more (a one-board rig, such as the pty rig, has no fleet).
    if (rig.boards.filter((b) => b.sim && matchesFilter(b, terms)).length >= 2) {
      projects.push({ name: `${rig.name}/fleet`, testMatch: FLEET_SPECS, use: { rigFile: rig.file, boardName: '' } });
    }
  }
  if (projects.length === 0) throw new Error(`no board in ${rigFiles.join(', ')} matches the filter "${filter}"`);
  return projects;
}

/** Print a rig error the way a user can act on it, not as a stack trace, and stop. */
export function exitOnRigError(e: unknown): never {
  process.stderr.write(`ota-hil: ${e instanceof RigError || e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
