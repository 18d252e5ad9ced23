// Flashes with the rig's tool (esptool, nrfjprog, pyocd, mcumgr, mos) through execa: argument
// arrays only, never a shell string built from rig values.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Installer } from './installer.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import type { InstallConfig } from '../rig/schema.ts';

type CommandInstall = Extract<InstallConfig, { kind: 'command' }>;

export class CommandInstaller implements Installer {
  readonly kind = 'command';
  readonly needsPower = true;
  constructor(
    private readonly config: CommandInstall,
    private readonly board: string,
    private readonly port: string,
    private readonly log: (line: string) => void,
  ) {}

  async install(image: FirmwareImage): Promise<void> {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ota-hil-')), `${image.name}-${image.version}.bin`);
    writeFileSync(file, image.bytes);
    const [cmd, ...args] = this.config.command.map((a) => a.replaceAll('{image}', file).replaceAll('{port}', this.port));
    const timeout = this.config.timeoutMs ?? 120_000;
    this.log(`install: ${[cmd, ...args].join(' ')}`);
    const r = await execa(cmd!, args, { timeout, reject: false, all: true });
    for (const line of (r.all ?? '').split('\n').filter(Boolean)) this.log(`install| ${line}`);
    if ((r as { code?: string }).code === 'ENOENT') throw new Error(`${this.board}: install tool "${cmd}" is not installed (not found on PATH)`);
    if (r.timedOut) throw new Error(`${this.board}: install command timed out after ${timeout} ms: ${cmd}`);
    if (r.exitCode !== 0) throw new Error(`${this.board}: install command failed (exit ${r.exitCode}): ${cmd}\n${(r.all ?? '').split('\n').slice(-10).join('\n')}`);
  }
}
