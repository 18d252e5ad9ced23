// `ota-hil console <board> [--rig FILE] [--wait]`: the board's console live, every line with its
// timestamp and the harness's events (console lost / back) between them, until Ctrl-C. Lines typed
// on stdin are sent to the board. The board's lock is held meanwhile, so no run starts on a board
// someone is watching. A simulated board is built in this process, its baseline installed and
// powered on, so there is a boot to watch. With --follow it opens nothing: it follows the live log
// a run writes for the board (read-only, while the run holds the board).
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { Console, fmtTime } from '../console/console.ts';
import { serialRoot } from '../console/ports.ts';
import { acquireBoardLock, BoardLockError, type BoardLock } from '../locks/board-lock.ts';
import { loadImages } from '../fixtures/images.ts';
import { CliError, DEFAULT_RIG, findBoard, KINDS_USAGE, loadRigWithKinds, openSimBoard, parseBoardArgs, runCli, type SimBoard } from './board-args.ts';
import { liveLogPath, reportsDir } from '../report/live-log.ts';
import { followFile } from './follow-file.ts';
import { processIo, type CliIo } from './io.ts';

const USAGE = `usage: ota-hil console <board> [--rig FILE] [--kinds FILE] [--wait]
       ota-hil console <board> --follow [--rig FILE] [--reports DIR]
  --rig FILE      the rig file (default ${DEFAULT_RIG})
${KINDS_USAGE}  --wait          if the port is not there yet (board off, adapter unplugged), wait for it
  --follow        read-only: follow the live log a run writes for the board (its console with the
                  harness's notes: power, OTA progress, cuts, verdicts), from the current test on;
                  the port and the board stay the run's. Same file: tail -f <reports>/live/<rig>/<board>.log
  --reports DIR   the run's reports dir (default $OTA_HIL_REPORTS or reports)
  Ctrl-C ends it; without --follow, lines typed on stdin go to the board.
`;

export function consoleCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  return runCli(io, async () => {
    const args = parseBoardArgs(io, argv, USAGE, { wait: { type: 'boolean' }, follow: { type: 'boolean' }, reports: { type: 'string' } });
    if (!args) return 0;
    const rig = await loadRigWithKinds(args);
    const config = findBoard(rig, args.positionals[0], USAGE);
    if (args.values.follow) {
      const file = liveLogPath(typeof args.values.reports === 'string' ? args.values.reports : reportsDir(), rig.name, config.name);
      await followFile(file, { out: (s) => io.stdout.write(s), note: (s) => io.stderr.write(`${s}\n`) });
      return 0;
    }
    let sim: SimBoard | undefined;
    let lock: BoardLock | undefined;
    let con: Console | undefined;
    try {
      if (config.sim) sim = await openSimBoard(config, io);
      else {
        lock = await acquireBoardLock(config.name, { waitMs: 0, what: `ota-hil console ${config.name}`, log: (l) => io.stderr.write(`${l}\n`) }).catch((e: unknown) => {
          throw e instanceof BoardLockError ? new CliError(`${e.message}\n  a run is using it (and its console port); watch it read-only: ota-hil console ${config.name} --follow`) : e;
        });
      }
      const opts = { board: config.name, baudRate: config.console.baud ?? 115200, lineEnding: config.console.lineEnding, encoding: config.console.encoding };
      con = await Console.open(
        sim ? { ...opts, path: sim.hw.consolePath, binding: sim.hw.binding, waitForPort: true } : { ...opts, port: config.console.port, waitForPort: args.values.wait === true },
      ).catch((e: Error) => {
        const hint = existsSync(serialRoot()) ? '' : `\n  (no ${serialRoot()} on this machine: udev has made no serial links; --wait waits for the port)`;
        throw new CliError(`${e.message}${hint}`);
      });
      if (sim) {
        const images = await loadImages(rig, config);
        const first = images.baseline ?? Object.values(images)[0];
        if (first) sim.device.stack.install(sim.device.flash, first.bytes, sim.device.config);
        io.stdout.write(`${sim.hw.description}\n  ${first ? `${first.name} ${first.version} installed, ` : ''}powered on now; Ctrl-C to stop\n`);
        sim.hw.supply.powerOn();
      } else {
        io.stdout.write(`${config.name}: console ${con.portName}${con.path ? ` on ${con.path}` : ' (not present yet; waiting)'} at ${opts.baudRate} baud; Ctrl-C to stop\n`);
      }
      await follow(con, io);
      return 0;
    } finally {
      await con?.close();
      await sim?.hw.close();
      sim?.device.powerOff();
      lock?.releaseSync();
    }
  });
}

/** Print lines and events as they come, in order, until SIGINT or SIGTERM. */
async function follow(con: Console, io: CliIo): Promise<void> {
  let line = 0;
  let event = 0;
  const flush = () => {
    for (;;) {
      const l = con.lines[line];
      const e = con.events[event];
      if (e && e.atLine <= line) {
        io.stdout.write(`${fmtTime(e.t)}  ## ${e.text}\n`);
        event++;
      } else if (l) {
        io.stdout.write(`${fmtTime(l.t)}  ${l.text}\n`);
        line++;
      } else return;
    }
  };
  const input = process.stdin.isTTY || !process.stdin.readableEnded ? createInterface({ input: process.stdin }) : undefined;
  input?.on('line', (text) => void con.send(text).catch((e: Error) => io.stderr.write(`ota-hil: ${e.message}\n`)));
  await new Promise<void>((resolve) => {
    const timer = setInterval(flush, 50);
    const stop = () => {
      clearInterval(timer);
      flush();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      input?.close();
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
