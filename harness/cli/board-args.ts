// Shared by the board commands (power, console): --rig FILE, the board by name, plain errors, and a
// simulated board built in this process the way Board.open builds it.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadRig, RigError, type Rig } from '../rig/load.ts';
import type { BoardConfig } from '../rig/schema.ts';
import { SimDevice } from '../sim/device.ts';
import { loadSimStack } from '../sim/registry.ts';
import { simDeviceConfig } from '../sim/stack.ts';
import { simHardware, type SimHardware } from '../console/sim-hardware.ts';
import { KindsFileError, loadKindsFile } from './kinds-file.ts';
import { kindsCheckpoint } from '../rig/extend.ts';
import type { CliIo } from './io.ts';

/**
 * The rig a board command uses without --rig: the one the runner would (the first of $OTA_HIL_RIG),
 * else rigs/lab.json where `ota-hil init` puts a repository's rig, else rigs/sim.json.
 */
export function defaultRig(env: NodeJS.ProcessEnv = process.env, exists: (file: string) => boolean = existsSync): string {
  return env.OTA_HIL_RIG?.split(',').find(Boolean) ?? (exists('rigs/lab.json') ? 'rigs/lab.json' : 'rigs/sim.json');
}

/** defaultRig, for usage texts. */
export const DEFAULT_RIG = '$OTA_HIL_RIG, else rigs/lab.json if there, else rigs/sim.json';

/** A failure the user can act on: printed as one message, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface BoardArgs {
  values: Record<string, string | boolean | undefined> & { rig: string };
  positionals: string[];
  /** --kinds FILE, each: a repository's own kinds (kinds-file.ts). */
  kinds: string[];
}

export const KINDS_USAGE = '  --kinds FILE  your own kinds too, as your config gives otaHilConfig({ kinds }) (docs/extending.md)\n';

export function parseBoardArgs(io: CliIo, argv: string[], usage: string, extra: Record<string, { type: 'string' | 'boolean' }> = {}): BoardArgs | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { rig: { type: 'string', default: defaultRig() }, kinds: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' }, ...extra }, allowPositionals: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n${usage}`, 2);
  }
  if (parsed.values.help) {
    io.stdout.write(usage);
    return undefined;
  }
  const { kinds = [], ...values } = parsed.values;
  return { values, positionals: parsed.positionals, kinds };
}

/** The rig, validated with the user's own kinds (--kinds) registered first. */
export async function loadRigWithKinds(args: BoardArgs): Promise<Rig> {
  for (const file of args.kinds) {
    try {
      await loadKindsFile(file);
    } catch (e) {
      if (e instanceof KindsFileError) throw new CliError(e.message, 2);
      throw e;
    }
  }
  return loadRigOrFail(args.values.rig);
}

export function loadRigOrFail(file: string): Rig {
  try {
    return loadRig(file);
  } catch (e) {
    if (e instanceof RigError) throw new CliError(e.message, 2);
    throw e;
  }
}

export function findBoard(rig: Rig, name: string | undefined, usage: string): BoardConfig {
  const names = rig.boards.map((b) => b.name).join(', ');
  if (!name) throw new CliError(`which board? ${rig.file} has: ${names}\n${usage}`, 2);
  const b = rig.boards.find((x) => x.name === name);
  if (!b) throw new CliError(`${rig.file}: no board named ${JSON.stringify(name)} (boards: ${names})`, 2);
  return b;
}

export interface SimBoard {
  device: SimDevice;
  hw: SimHardware;
}

/** A simulated board in this process; it exists only as long as the command runs. */
export async function openSimBoard(config: BoardConfig, io: CliIo): Promise<SimBoard> {
  const device = new SimDevice(config.name, await loadSimStack(config.stack, config.name), simDeviceConfig(config));
  const hw = await simHardware(device, config, (l) => io.stderr.write(`${l}\n`));
  return { device, hw };
}

/** Runs a command body, turning CliErrors and hardware errors into a message and an exit code. */
export async function runCli(io: CliIo, body: () => Promise<number>): Promise<number> {
  const forgetKinds = kindsCheckpoint();
  try {
    return await body();
  } catch (e) {
    const err = e as Error;
    io.stderr.write(`ota-hil: ${err.message}\n`);
    return e instanceof CliError ? e.exitCode : 1;
  } finally {
    forgetKinds();
  }
}
