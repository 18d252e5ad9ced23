// Flashes with the rig's tool (esptool write_flash, nrfjprog, pyocd, mcumgr, mos flash) through
// execa: argument arrays only, never a shell string built from rig values. The tool's output goes
// into the console log line by line as it comes (a hung tool shows where it hung), it is killed
// at the timeout, and the console lets go of the serial port while it runs (esptool and mos open
// the board's UART themselves) and takes it back afterwards.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Installer } from './installer.ts';
import type { InstallContext } from './registry.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { Ms } from '../rig/schema-parts.ts';
import type { Console } from '../console/console.ts';
import { findTool, toolHint } from './tools.ts';
import { imageFileName, ownedTempDir } from '../fixtures/temp-dirs.ts';

type CommandInstall = Static<typeof commandInstall.schema>;

export interface CommandInstallContext {
  board: string;
  /** The port at the time the board was opened; the console's current one wins when there is a console. */
  port: string;
  /** The board's console: released while the tool runs, so the tool can open the port. */
  console?: Console;
  log: (line: string) => void;
  /** How long the console may take to come back after the tool, ms. */
  reopenTimeoutMs?: number;
}

const TAIL = 12;

export class CommandInstaller implements Installer {
  readonly kind = 'command';
  readonly needsPower = true;
  constructor(
    private readonly config: CommandInstall,
    private readonly ctx: CommandInstallContext,
  ) {}

  async install(image: FirmwareImage): Promise<void> {
    const { board } = this.ctx;
    const tool = this.config.command[0]!;
    const name = path.basename(tool);
    // Before the console lets go of anything: a missing tool is a setup error, said plainly.
    if (!(await findTool(tool))) throw new Error(`${board}: install tool "${tool}" is not installed (not found on PATH)${toolHint(name)}`);
    const usesPort = this.config.command.some((a) => a.includes('{port}'));
    const con = this.ctx.console;
    let port = this.ctx.port;
    if (con && usesPort) {
      await con.waitConnected(10_000, `run ${name} on its port`);
      port = con.toolPath() ?? port;
    }
    const dir = ownedTempDir('install', board);
    const file = path.join(dir, imageFileName(image));
    writeFileSync(file, image.bytes);
    const [, ...args] = this.config.command.map((a) => a.replaceAll('{image}', file).replaceAll('{port}', port));
    const timeout = this.config.timeoutMs ?? 120_000;
    if (con && usesPort) await con.release(`${name} uses ${port}`);
    let failure: Error | undefined;
    try {
      failure = await this.run(tool, args, timeout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (con && usesPort) {
        await con.reacquire(this.ctx.reopenTimeoutMs ?? 15_000).catch((e: Error) => {
          failure ??= new Error(`${board}: the console did not come back after ${name}: ${e.message}`);
        });
      }
    }
    if (failure) throw failure;
  }

  /** Runs the tool; resolves with the error to report, or undefined when it succeeded. */
  private async run(tool: string, args: string[], timeout: number): Promise<Error | undefined> {
    const { board, log } = this.ctx;
    const name = path.basename(tool);
    log(`install: ${[tool, ...args].join(' ')}`);
    const tail: string[] = [];
    let partial = '';
    const take = (chunk: Buffer | string) => {
      // esptool redraws its progress with '\r': each redraw is a line of its own.
      const parts = (partial + chunk.toString()).split(/\r\n|\r|\n/);
      partial = parts.pop()!;
      for (const p of parts.filter((x) => x.trim())) {
        log(`install| ${p}`);
        tail.push(p);
        if (tail.length > TAIL) tail.shift();
      }
    };
    const t0 = performance.now();
    const { execa } = await import('execa'); // loaded when a tool first runs, not with the rig
    const proc = execa(tool, args, { timeout, forceKillAfterDelay: 2000, reject: false, all: true, buffer: false, stdin: 'ignore' });
    proc.all?.on('data', take);
    const r = await proc;
    if (partial.trim()) take('\n');
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    const last = tail.length ? `\n${tail.map((l) => `    ${l}`).join('\n')}` : ' (no output)';
    if ((r as { code?: string }).code === 'ENOENT') return new Error(`${board}: install tool "${tool}" is not installed (not found on PATH)${toolHint(name)}`);
    if (r.timedOut) return new Error(`${board}: ${name} did not finish within ${timeout} ms and was killed; its last output:${last}`);
    if (r.exitCode !== 0) return new Error(`${board}: ${name} failed (${r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`}) after ${secs} s; its last output:${last}`);
    log(`install: ${name} done in ${secs} s`);
    return undefined;
  }
}

/** Rig entry `install: { kind: 'command', ... }`. */
export const commandInstall = defineKind({
  kind: 'command',
  options: {
    command: Type.Array(Type.String(), { minItems: 1, description: 'argv; {image} and {port} are replaced' }),
    timeoutMs: Type.Optional(Ms),
  },
  create: (config, ctx: InstallContext): Installer => new CommandInstaller(config, ctx),
});
