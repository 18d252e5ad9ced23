// `ota-hil init [--sim] [--force] [--dir D]`: sets a firmware repository up for ota-hil — a
// Playwright config from otaHilConfig, rigs/lab.json, a starter scenario, a release policy,
// reports/ ignored, and package.json scripts. All or nothing: an existing file is named and nothing is written, unless
// --force. package.json and .gitignore are merged into, never replaced.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT, PACKAGE_VERSION } from '../package-root.ts';
import { processIo, type CliIo } from './io.ts';

const USAGE = `usage: ota-hil init [--sim] [--force] [--dir DIR]
  sets up DIR (default: here) for ota-hil: playwright.config.ts, rigs/lab.json, tests/ota/first-update.spec.ts,
  gate.policy.json (the release gate's policy), reports/ in .gitignore, and "ota" scripts in package.json
  --sim    the rig gets one simulated board, so the first run needs no hardware
  --force  overwrite those files and scripts where they exist
`;

export const SCRIPTS: Readonly<Record<string, string>> = {
  ota: 'ota-hil scenarios',
  'ota:gate': 'ota-hil gate',
  'ota:rig': 'ota-hil rig validate rigs/lab.json',
};

const CONFIG = `// OTA update scenarios on the boards of rigs/lab.json: ota-hil's stock library (clean update,
// power cuts, withheld commit, corrupt image, crash, sweeps, ...) and your own specs in tests/ota/.
//   another rig:           OTA_HIL_RIG=rigs/other.json npm run ota
//   some boards only:      OTA_HIL_BOARDS="arch=cortex-m" npm run ota
//   fewer stock scenarios: stock: { grep: /@clean-update|@withheld-commit/ }
//   your own power driver, transport, installer or commit method: kinds: { power: [myPdu] }
//   (node_modules/ota-hil/docs/extending.md)
import { otaHilConfig } from 'ota-hil/config';

export default otaHilConfig({
  rigs: (process.env.OTA_HIL_RIG ?? 'rigs/lab.json').split(','),
  testDir: 'tests/ota',
  stock: true,
});
`;

const SPEC = `// Your own OTA scenario: it runs on every board of the rig, beside the stock library.
// board: the board under test (install, ota, power, console, boots); images: the rig's images.
import { test, expect } from 'ota-hil';

test('the candidate arrives over the air, boots, and stays after a power cycle', { tag: '@first-update' }, async ({ board, images }) => {
  const { baseline, candidate } = images;
  await board.install(baseline!);
  await board.ota.run(candidate!, { commit: 'confirm' });
  await expect(board).toBoot({ version: candidate!.version, event: board.promises.firstBoot.event });
  await board.power.cycle();
  await expect(board).toBoot({ version: candidate!.version, event: 'normal' });
});
`;

const SCHEMA = '../node_modules/ota-hil/rig.schema.json';

/** One simulated MCUboot board: the first run works with no hardware. */
function simRig(): object {
  return {
    $schema: SCHEMA,
    name: 'lab',
    description: 'One simulated MCUboot board (a byte-level NOR flash, driven like hardware). Replace it with your boards: ota-hil README, "Switch to the lab rig".',
    images: {
      baseline: { version: '1.0.0', sim: { boot: 'ok', confirm: 'self', size: 40000 } },
      candidate: { version: '1.1.0', sim: { boot: 'ok', confirm: 'wait', size: 48000 } },
      crashing: { version: '1.2.0-crash', sim: { boot: 'crash', confirm: 'wait', size: 44000 } },
    },
    boards: [
      {
        name: 'sim-1',
        stack: 'mcuboot',
        tags: { arch: 'cortex-m', swap: 'scratch' },
        console: { port: { sim: true }, baud: 115200 },
        power: { kind: 'sim' },
        transport: { kind: 'http-pull', trigger: { consoleCommand: 'ota {url}' } },
        install: { kind: 'sim-flash' },
        commit: { kind: 'console-command', command: 'mcuboot confirm', expect: 'Image (already )?confirmed' },
        sim: { swap: 'scratch', slotSize: 131072, sectorSize: 4096, writeSize: 8, timeScale: 20 },
      },
    ],
  };
}

/** A real board to fill in: every value marked here is one to replace with the lab's own. */
function hardwareRig(): object {
  return {
    $schema: SCHEMA,
    name: 'lab',
    description:
      'A real MCUboot board: replace the console by-id name (npx ota-hil ports), the smart plug address, the flash command and the image files with your own, then npx ota-hil rig validate rigs/lab.json. Image files resolve relative to this file.',
    safeState: 'off',
    images: {
      baseline: { version: '1.0.0', file: '../build/baseline/zephyr/zephyr.signed.bin' },
      candidate: { version: '1.1.0', file: '../build/candidate/zephyr/zephyr.signed.bin' },
    },
    boards: [
      {
        name: 'board-1',
        stack: 'mcuboot',
        tags: { arch: 'cortex-m' },
        console: { port: { byId: 'usb-SEGGER_J-Link_000683512345-if00' }, baud: 115200 },
        power: { kind: 'tasmota', host: '192.168.1.50', relay: 1 },
        transport: { kind: 'smp', upgrade: 'test' },
        install: { kind: 'command', command: ['pyocd', 'flash', '--target', 'nrf52840', '--base-address', '0xc000', '{image}'], timeoutMs: 120000 },
        commit: { kind: 'console-command', command: 'mcuboot confirm', expect: 'Image (already )?confirmed' },
        bootTimeoutMs: 20000,
      },
    ],
  };
}

/** The release policy ota-hil ships, held to this rig's board: the repository's own from now on. */
function policy(board: string): object {
  const own = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'gate.policy.json'), 'utf8')) as Record<string, unknown>;
  return {
    ...own,
    description: `What a candidate must prove on the rig before release (ota-hil gate, run by npm run ota). Name every board that must have results in "boards"; scenario titles are case-insensitive regular expressions matched against "describe › title".`,
    boards: [board],
  };
}

interface Planned {
  file: string;
  text: string;
}

export interface InitResult {
  code: number;
  written: string[];
}

/** The files init writes into `dir`, or the reasons it must not (each naming a file). */
export function planInit(dir: string, opts: { sim: boolean; force: boolean }): { files: Planned[]; refused: string[] } {
  const files: Planned[] = [
    { file: 'playwright.config.ts', text: CONFIG },
    { file: 'rigs/lab.json', text: JSON.stringify(opts.sim ? simRig() : hardwareRig(), null, 2) + '\n' },
    { file: 'tests/ota/first-update.spec.ts', text: SPEC },
    { file: 'gate.policy.json', text: JSON.stringify(policy(opts.sim ? 'lab/sim-1' : 'lab/board-1'), null, 2) + '\n' },
  ];
  const refused: string[] = [];
  // These are written whole: an existing one is refused unless --force. package.json and .gitignore are merged into.
  if (!opts.force) {
    for (const f of files) if (existsSync(path.join(dir, f.file))) refused.push(`${f.file}: exists`);
    // Playwright reads the first config it finds: another one would shadow, or be shadowed by, ours.
    for (const other of ['js', 'mjs', 'cjs', 'mts', 'cts'].map((e) => `playwright.config.${e}`)) {
      if (existsSync(path.join(dir, other))) refused.push(`${other}: exists (a Playwright config of its own; ota-hil's would be playwright.config.ts)`);
    }
  }
  const pkg = mergePackageJson(path.join(dir, 'package.json'), dir, opts.force);
  refused.push(...pkg.refused);
  if (pkg.text) files.push({ file: 'package.json', text: pkg.text });
  const ignore = mergeGitignore(path.join(dir, '.gitignore'));
  if (ignore) files.push({ file: '.gitignore', text: ignore });
  return { files, refused };
}

/** package.json with the ota scripts (and ota-hil, Playwright as dev dependencies) added, nothing else touched. */
function mergePackageJson(file: string, dir: string, force: boolean): { text?: string; refused: string[] } {
  let pkg: Record<string, unknown>;
  let indent: string | number = 2;
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    try {
      pkg = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      return { refused: [`package.json: not valid JSON (${(e as Error).message}); fix it, then run init again`] };
    }
    if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) return { refused: ['package.json: not a JSON object'] };
    indent = /^\{\s*\n([ \t]+)"/.exec(text)?.[1] ?? 2;
  } else {
    const name = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'firmware';
    pkg = { name, private: true, type: 'module' };
  }
  const scripts = { ...((pkg.scripts as Record<string, string> | undefined) ?? {}) };
  const refused: string[] = [];
  for (const [name, cmd] of Object.entries(SCRIPTS)) {
    if (scripts[name] !== undefined && scripts[name] !== cmd && !force) refused.push(`package.json: script "${name}" exists ("${scripts[name]}"; ota-hil's would be "${cmd}")`);
    else scripts[name] = cmd;
  }
  const next: Record<string, unknown> = { ...pkg, scripts };
  const dev = (pkg.devDependencies ?? {}) as Record<string, string>;
  const deps = (pkg.dependencies ?? {}) as Record<string, string>;
  const missing = Object.entries(wantedDevDependencies()).filter(([name]) => !(name in dev) && !(name in deps));
  if (missing.length) next.devDependencies = { ...dev, ...Object.fromEntries(missing) };
  return { text: JSON.stringify(next, null, indent) + '\n', refused };
}

/** ota-hil, and the Playwright it runs with (its peer: the project's config and specs load that one). */
function wantedDevDependencies(): Record<string, string> {
  const own = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { peerDependencies?: Record<string, string> };
  return { 'ota-hil': `^${PACKAGE_VERSION}`, ...own.peerDependencies };
}

/** .gitignore with reports/ and node_modules/ added where missing; undefined when nothing is missing. */
function mergeGitignore(file: string): string | undefined {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = new Set(text.split(/\r?\n/).map((l) => l.trim().replace(/^\//, '').replace(/\/$/, '')));
  const missing = ['reports/', 'node_modules/'].filter((l) => !lines.has(l.replace(/\/$/, '')));
  if (missing.length === 0) return undefined;
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  return `${text}${sep}${text ? '\n' : ''}# ota-hil: run output (npm run ota)\n${missing.join('\n')}\n`;
}

export function runInit(dir: string, opts: { sim: boolean; force: boolean }, out: (s: string) => void = (s) => processIo.stdout.write(s), err: (s: string) => void = (s) => processIo.stderr.write(s)): InitResult {
  const { files, refused } = planInit(dir, opts);
  if (refused.length) {
    const at = shown(dir);
    err(`ota-hil init: nothing written${at ? ` to ${at}` : ''}, because:\n${refused.map((r) => `  ${r}`).join('\n')}\n(--force overwrites existing files and scripts)\n`);
    return { code: 1, written: [] };
  }
  for (const f of files) {
    const abs = path.join(dir, f.file);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, f.text);
  }
  const written = files.map((f) => f.file);
  const installed = existsSync(path.join(dir, 'node_modules', 'ota-hil'));
  const next = opts.sim
    ? [
        [installed ? 'npx ota-hil rig validate rigs/lab.json' : 'npm install', installed ? 'check the rig: one simulated board' : 'install ota-hil and Playwright'],
        ['npm run ota', 'the stock scenarios and tests/ota/ on the simulated board; the gate verdict and the Allure report follow'],
        ['npx ota-hil ports', 'when your board is wired: its stable serial name, for rigs/lab.json (README: "Switch to the lab rig")'],
      ]
    : [
        [installed ? 'npx ota-hil ports' : 'npm install', installed ? "your board's stable serial name, for rigs/lab.json's console" : 'install ota-hil and Playwright'],
        ['npm run ota:rig', 'check rigs/lab.json once its by-id name, plug address, flash command and image files are yours'],
        ['npm run ota', 'the stock scenarios and tests/ota/ on your board; the gate verdict and the Allure report follow'],
      ];
  const where = shown(dir);
  out(`ota-hil init: wrote ${written.join(', ')}${where ? ` in ${where}` : ''}\n\nNext${where ? ` (cd ${where})` : ''}:\n`);
  const width = Math.max(...next.map(([c]) => c!.length));
  for (const [c, why] of next) out(`  ${c!.padEnd(width)}   ${why}\n`);
  return { code: 0, written };
}

/** dir as the user would type it from here: '' for here, relative below here, else absolute. */
function shown(dir: string): string {
  const rel = path.relative(process.cwd(), path.resolve(dir));
  return rel.startsWith('..') ? path.resolve(dir) : rel;
}

export function initCommand(argv: string[], io: CliIo = processIo): number {
  let args;
  try {
    args = parseArgs({ args: argv, options: { sim: { type: 'boolean' }, force: { type: 'boolean' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    io.stderr.write(`ota-hil init: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  return runInit(args.values.dir ?? '.', { sim: !!args.values.sim, force: !!args.values.force }, (s) => io.stdout.write(s), (s) => io.stderr.write(s)).code;
}
