// The ota-hil command: one line per subcommand.
import { processIo, type CliIo } from './io.ts';

const HELP = `ota-hil — hardware-in-the-loop OTA update testing

  ota-hil init [--sim] [--force] [--dir DIR]
                                     set a firmware repository up: Playwright config, rigs/lab.json, a starter
                                     scenario, npm scripts (--sim: a simulated board, no hardware needed)
  ota-hil scenarios [playwright test args...]
                                     run the scenarios (playwright test), then the gate and the Allure report
  ota-hil rig validate FILE          check a rig file; every problem with its JSON pointer (--kinds F: yours too)
  ota-hil rig schema [--out FILE]    write the rig JSON Schema (for editor completion; --kinds F: yours too)
  ota-hil parse-bootlog FILE --stack <name|auto> [--json]
                                     which slot, event and version a console log shows
  ota-hil gate [--results DIR]... [--policy FILE]
                                     release verdict from a run's results (gate.policy.json)
  ota-hil merge DIR... [--out DIR]   one Allure report and gate verdict from several rig hosts
  ota-hil mutants [--stack S] [--jobs N]
                                     detection power: every seeded bug caught, no false alarm
  ota-hil ports [--rig FILE]         serial ports with their stable ids (by-id, by-path, USB) and rig boards
  ota-hil relays [--rig FILE]        USB relays found (dcttech, LCUS HID, CH340)
  ota-hil power <board> on|off|cycle [--rig FILE]
                                     switch a board's supply with the rig's driver, read it back
  ota-hil console <board> [--rig FILE]
                                     the board's console live, timestamped, until Ctrl-C
  (--rig defaults to $OTA_HIL_RIG, else rigs/lab.json if there, else rigs/sim.json, whose boards
   are simulated in the ota-hil process itself)
  ota-hil sim serve --rig FILE --board NAME [--image NAME]
                                     run a simulated board standalone: console on a pty, power by command
  ota-hil sim ops RIG BOARD [--json]  flash operations per phase of one simulated update, and the power-loss windows
`;

/** The exit code; `io` is where the words go (the process's streams, or a test's buffers: io.ts). */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'rig':
      return (await import('./rig.ts')).rigCommand(rest, io);
    case 'init': return (await import('./init.ts')).initCommand(rest, io);
    case 'scenarios': return (await import('./scenarios.ts')).scenariosCommand(rest, io);
    case 'gate': return (await import('./gate.ts')).gateCommand(rest, io);
    case 'merge': return (await import('./merge.ts')).mergeCommand(rest, io);
    case 'mutants': return (await import('./mutants.ts')).mutantsCommand(rest, io);
    case 'ports': return (await import('./ports.ts')).portsCommand(rest, io);
    case 'relays': return (await import('./relays.ts')).relaysCommand(rest, io);
    case 'power': return (await import('./power.ts')).powerCommand(rest, io);
    case 'console': return (await import('./console.ts')).consoleCommand(rest, io);
    case 'sim': return (await import('./sim.ts')).simCommand(rest, io);
    case 'parse-bootlog': return (await import('./parse-bootlog.ts')).parseBootlogCommand(rest, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(HELP);
      return cmd === undefined ? 2 : 0;
    default:
      io.stderr.write(`ota-hil: unknown command ${JSON.stringify(cmd)}\n${HELP}`);
      return 2;
  }
}
