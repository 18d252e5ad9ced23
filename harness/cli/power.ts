// `ota-hil power <board> on|off|cycle [--rig FILE] [--off-ms N] [--force]`: switch a board's supply
// with the rig's driver and read the state back. A real board in use by a run (its lock is held)
// is left alone unless --force. A simulated board is switched in this process: say so.
import { createPowerSwitch } from '../power/registry.ts';
import type { PowerSwitch } from '../power/power-switch.ts';
import { acquireBoardLock, BoardLockError, type BoardLock } from '../locks/board-lock.ts';
import { CliError, DEFAULT_RIG, findBoard, KINDS_USAGE, loadRigWithKinds, openSimBoard, parseBoardArgs, runCli, type SimBoard } from './board-args.ts';
import { processIo, type CliIo } from './io.ts';

const USAGE = `usage: ota-hil power <board> on|off|cycle [--rig FILE] [--kinds FILE] [--off-ms N] [--force]
  --rig FILE    the rig file (default ${DEFAULT_RIG})
${KINDS_USAGE}  --off-ms N    how long a cycle leaves the board off (default 1000; 200 on a simulated board)
  --force       switch a board even while a run holds it
`;

export function powerCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  return runCli(io, async () => {
    const args = parseBoardArgs(io, argv, USAGE, { 'off-ms': { type: 'string' }, force: { type: 'boolean' } });
    if (!args) return 0;
    const [name, action] = args.positionals;
    const rig = await loadRigWithKinds(args);
    const config = findBoard(rig, name, USAGE);
    if (action !== 'on' && action !== 'off' && action !== 'cycle') throw new CliError(`power: say on, off or cycle\n${USAGE}`, 2);
    const offMs = args.values['off-ms'] === undefined ? (config.sim ? 200 : 1000) : Number(args.values['off-ms']);
    if (!Number.isFinite(offMs) || offMs < 0) throw new CliError(`--off-ms wants milliseconds, got ${String(args.values['off-ms'])}`, 2);

    let sim: SimBoard | undefined;
    let lock: BoardLock | undefined;
    let sw: PowerSwitch | undefined;
    try {
      if (config.sim) {
        sim = await openSimBoard(config, io);
        io.stdout.write(`${sim.hw.description}\n  nothing physical is switched, and the board is gone when this command ends\n`);
      } else if (!args.values.force) {
        lock = await acquireBoardLock(config.name, { waitMs: 0, what: `ota-hil power ${config.name} ${action}`, log: (l) => io.stderr.write(`${l}\n`) }).catch((e: unknown) => {
          if (e instanceof BoardLockError) throw new CliError(`${e.message}\n  a run is using it; --force switches it anyway`);
          throw e;
        });
      }
      sw = createPowerSwitch(sim?.hw.power ?? config.power, { board: config.name, sim: sim?.hw.supply });
      io.stdout.write(`${config.name}: ${sw.description}\n`);
      if (action === 'cycle') {
        await sw.off();
        io.stdout.write(`${config.name}: off; on again in ${offMs} ms\n`);
        await new Promise((r) => setTimeout(r, offMs));
        await sw.on();
      } else if (action === 'on') await sw.on();
      else await sw.off();
      const state = await sw.state();
      const want = action === 'off' ? 'off' : 'on';
      io.stdout.write(`${config.name}: switched ${want}; ${state === 'unknown' ? 'the driver cannot read the state back' : `it reads back ${state}`}\n`);
      if (state !== 'unknown' && state !== want) throw new CliError(`${config.name}: switched ${want} but the supply reads back ${state}`);
      return 0;
    } finally {
      await sw?.close().catch(() => undefined);
      await sim?.hw.close();
      sim?.device.powerOff();
      lock?.releaseSync();
    }
  });
}
