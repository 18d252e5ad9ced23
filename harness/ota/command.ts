// An external tool delivers the image (esptool, mos, mcumgr, nrfjprog, particle CLI), run
// through execa with an argument array, never a shell string built from rig values. Its output
// goes to the console log; progress is parsed where the tool prints it. A hold point stops the
// tool (SIGSTOP) once its printed progress reaches the point, and resume() continues it. A tool
// given the board's port ({port}: esptool, mcumgr over serial, mos) opens that port itself, so the
// console lets go of it while the tool runs and takes it back afterwards, as the command
// installer does.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResultPromise } from 'execa';
import { Type, type Static } from '../typebox.ts';
import { defineKind } from '../rig/kind.ts';
import { BoardAddress, AddressFrom, Ms } from '../rig/schema-parts.ts';
import type { Console } from '../console/console.ts';
import type { FirmwareImage } from '../fixtures/images.ts';
import type { OtaDelivery, OtaTransport, TransportContext } from './transport.ts';
import { ByteDelivery } from './delivery.ts';
import { deviceAddress } from './address.ts';
import { imageFileName, ownedTempDir } from '../fixtures/temp-dirs.ts';

type CommandConfig = Static<typeof commandTransport.schema>;
/** esptool: "Writing at 0x00010000... (3 %)"; mcumgr: "... 25.71%"; mos: "... 42%". */
export const DEFAULT_PROGRESS = /(?:Writing at 0x[0-9a-fA-F]+\.*\s*\(\s*(?<pct>\d+(?:\.\d+)?)\s*%\s*\))|(?:\s(?<pct2>\d+(?:\.\d+)?)\s?%\s*(?:$|\|))/;

export class CommandTransport implements OtaTransport {
  readonly kind = 'command';
  private children = new Set<ResultPromise>();
  private deliveries = new Set<ByteDelivery>();

  constructor(
    private readonly config: CommandConfig,
    private readonly board: string,
    private readonly console: Console,
    /** The board's console path, for {port}. */
    private readonly port: string,
    /** How long the console may take to come back after the tool, ms. */
    private readonly reopenTimeoutMs = 15_000,
  ) {}

  async start(image: FirmwareImage): Promise<OtaDelivery> {
    const timeout = this.config.timeoutMs ?? 300_000;
    const pattern = progressPattern(this.config.progress, this.board);
    const d = new ByteDelivery(image, this.board, this.kind, timeout);
    d.counted = 'reported by the tool';
    this.deliveries.add(d);
    const dir = ownedTempDir('ota', this.board);
    const file = path.join(dir, imageFileName(image));
    writeFileSync(file, image.bytes);
    const needsAddress = this.config.command.some((a) => a.includes('{address}'));
    const addr = needsAddress
      ? await deviceAddress({ board: this.board, kind: this.kind, console: this.console, address: this.config.address, addressFrom: this.config.addressFrom, defaultPattern: /IP address:? (?<host>\d+\.\d+\.\d+\.\d+)/ })
      : undefined;
    // The tool gets the port the console has now (its stable link when the rig names one).
    const usesPort = this.config.command.some((a) => a.includes('{port}'));
    let port = this.port;
    if (usesPort) {
      await this.console.waitConnected(10_000, `run ${path.basename(this.config.command[0]!)} on its port`);
      port = this.console.toolPath() ?? port;
    }
    const argv = this.config.command.map((a) =>
      a.replaceAll('{image}', file).replaceAll('{port}', port).replaceAll('{address}', addr ? `${addr.host}${this.config.address?.includes(':') || !this.config.address ? `:${addr.port}` : ''}` : ''),
    );
    // Nothing of the tool's run may end as an unhandled rejection: whatever goes wrong fails the delivery.
    void this.run(argv, d, timeout, pattern, usesPort ? port : undefined)
      .catch((e: unknown) => d.fail(`${path.basename(argv[0]!)}: ${(e as Error).message}`))
      .finally(() => rmSync(dir, { recursive: true, force: true }));
    return d;
  }

  async close(): Promise<void> {
    for (const c of this.children) c.kill('SIGKILL');
    for (const d of this.deliveries) d.abort();
    await Promise.resolve();
  }

  /** `port`: the console's port the tool opens; the console releases it for the tool's run. */
  private async run(argv: string[], d: ByteDelivery, timeout: number, pattern: RegExp, port?: string): Promise<void> {
    const [cmd, ...args] = argv as [string, ...string[]];
    if (port !== undefined) await this.console.release(`${path.basename(cmd)} uses ${port}`);
    this.console.note(`ota: run ${argv.join(' ')}`);
    const { execa } = await import('execa'); // loaded when a tool first runs, not with the rig
    const child = execa(cmd, args, { timeout, reject: false, stdin: 'ignore', buffer: false, stripFinalNewline: false, killSignal: 'SIGKILL' });
    this.children.add(child);
    d.begin();
    const tail: string[] = [];
    let holding = false;
    const onLine = (line: string) => {
      if (!line.trim()) return;
      this.console.note(`ota| ${line}`);
      tail.push(line);
      if (tail.length > 8) tail.shift();
      const m = pattern.exec(line);
      const pct = m?.groups?.pct ?? m?.groups?.pct2;
      if (pct === undefined) return;
      const bytes = Math.min(d.total, Math.round((Number(pct) / 100) * d.total));
      if (bytes > d.progress().bytes) d.set(bytes);
      const hold = d.holdPoint;
      if (hold !== null && bytes >= hold && !holding && bytes < d.total) {
        // Freeze the tool where its progress crossed the point; it continues on resume().
        holding = true;
        child.kill('SIGSTOP');
        void d.park().then(() => {
          holding = false;
          child.kill('SIGCONT');
        });
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.on('data', (b: Buffer) => {
        const parts = (partial + b.toString('utf8')).split(/\r\n|\r|\n/);
        partial = parts.pop()!;
        parts.forEach(onLine);
      });
      stream?.on('end', () => onLine(partial));
    }
    const r = (await child) as { exitCode?: number; timedOut?: boolean; code?: string; signal?: string; shortMessage?: string };
    this.children.delete(child);
    // Take the port back. The console looks for it until it is back, whatever the wait here says:
    // a failed delivery does not wait for it (the board may be off), a finished one does, since
    // what the board prints next (the reboot into the image) is the verdict.
    const back = port === undefined ? Promise.resolve(undefined) : this.reacquire(cmd);
    d.wake();
    const why = tail.length ? `: ${tail.slice(-4).join(' | ')}` : '';
    if (r.code === 'ENOENT') d.fail(`${cmd} is not installed (not found on PATH)`);
    else if (r.timedOut) d.fail(`${cmd} timed out after ${timeout} ms${why}`);
    else if (r.exitCode !== 0) d.fail(`${cmd} ${r.exitCode === undefined ? `ended by ${r.signal ?? r.shortMessage}` : `exited with ${r.exitCode}`}${why}`);
    else {
      const lost = await back;
      if (lost) return d.fail(lost);
      d.set(d.total);
      d.finish();
    }
  }

  /** Reopen the released console; resolves with the problem, or undefined when it is back. */
  private reacquire(cmd: string): Promise<string | undefined> {
    return this.console.reacquire(this.reopenTimeoutMs).then(
      () => undefined,
      (e: unknown) => {
        const problem = `the console did not come back after ${path.basename(cmd)}: ${(e as Error).message}`;
        this.console.note(`ota: ${problem}`);
        return problem;
      },
    );
  }
}

/** The rig's progress regex, compiled before anything runs: a bad one is a setup error naming the board. */
export function progressPattern(source: string | undefined, board: string): RegExp {
  if (source === undefined) return DEFAULT_PROGRESS;
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch (e) {
    throw new Error(`${board}: transport.progress is not a valid regex: ${(e as Error).message}`);
  }
  if (!/\(\?<pct2?>/.test(source)) throw new Error(`${board}: transport.progress ${JSON.stringify(source)} needs a named group pct, e.g. "(?<pct>\\d+) ?%"`);
  return re;
}

/** Rig entry `transport: { kind: 'command', ... }`. */
export const commandTransport = defineKind({
  kind: 'command',
  description: 'an external tool (esptool, mos, mcumgr, nrfjprog, particle) run through execa',
  options: {
    command: Type.Array(Type.String(), { minItems: 1, description: 'argv, never a shell string; {image}, {port}, {address} are replaced' }),
    progress: Type.Optional(Type.String({ description: "regex with a named group pct (default: esptool's 'Writing at 0x… (NN %)')" })),
    address: BoardAddress,
    addressFrom: AddressFrom,
    timeoutMs: Type.Optional(Ms),
  },
  create: (config, ctx: TransportContext): OtaTransport => new CommandTransport(config, ctx.board, ctx.console, ctx.port ?? ''),
});
