// In-memory rigs for the benchmarks: one simulated board, sized as each benchmark says.
import { validateRig, type Rig } from '../harness/rig/load.ts';
import type { BoardConfig, SimConfig } from '../harness/rig/schema.ts';

export function mcubootRig(name: string, sim: SimConfig, sizes: { baseline: number; candidate: number }): Rig {
  const board: BoardConfig = {
    name,
    stack: 'mcuboot',
    console: { port: { sim: true } },
    power: { kind: 'sim' },
    transport: { kind: 'http-pull', trigger: { consoleCommand: 'ota {url}' } },
    install: { kind: 'sim-flash' },
    commit: { kind: 'console-command', command: 'mcuboot confirm', expect: 'Image (already )?confirmed' },
    sim: { swap: 'scratch', writeSize: 8, ...sim },
  };
  return validateRig(
    {
      name: 'bench',
      images: {
        baseline: { version: '1.0.0', sim: { boot: 'ok', confirm: 'self', size: sizes.baseline } },
        candidate: { version: '1.1.0', sim: { boot: 'ok', confirm: 'wait', size: sizes.candidate } },
      },
      boards: [board],
    },
    `<bench rig ${name}>`,
  );
}
