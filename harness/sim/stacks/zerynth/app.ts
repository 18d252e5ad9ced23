// The Zerynth-style firmware. What it is and does comes from flash: its body (version,
// behaviour) and the FOTA record (testing mode or not). In testing mode it keeps trying to reach
// its device manager at the address provisioned in flash; only when the device manager accepts
// the connection does it accept itself (record → idle). Shell: `fota <url>` downloads into the
// filesystem area, verifies, records "pending" and reboots; `zdm endpoint <host>:<port>` provisions.
import net from 'node:net';
import type { DeviceContext, DeviceFlash } from '../../stack.ts';
import { PowerLoss } from '../../flash.ts';
import { httpDownload } from '../../net/http-download.ts';
import { startDeviceTransports } from '../../transports/index.ts';
import type { UpdateSink } from '../../update-sink.ts';
import type { Layout } from './layout.ts';
import type { Mutation } from './mutants.ts';
import { checkImage, claimedSize, readAppInfo, type AppInfo } from './image.ts';
import { State, eraseJournal, readEndpoint, readRecord, writeEndpoint, writeRecord } from './record.ts';

const WATCHDOG_MS = 8000;
/** zdm reconnect back-off. */
const RETRY_MS = 2000;
const HASH_BYTES_PER_MS = 2000;

export async function runApp(ctx: DeviceContext, l: Layout, mut: Mutation): Promise<void> {
  const info = readAppInfo(ctx.flash, l.firmware);
  await ctx.sleep(10);
  if (!info) return hardFault(ctx);
  ctx.print(`zapp: version ${info.version}`);
  if (info.boot === 'crash') {
    await ctx.sleep(30);
    return hardFault(ctx);
  }
  if (info.boot === 'hang') {
    await ctx.sleep(WATCHDOG_MS);
    ctx.reset('watchdog');
  }
  let background: Promise<void> = Promise.resolve();
  if (readRecord(ctx.flash, l).rec.state === State.TESTING) {
    ctx.print('zfota: testing mode, the firmware is accepted once the device manager is reached');
    if (info.confirm === 'self' || mut.has('accept-without-connect')) await accept(ctx, l);
    else background = deviceManager(ctx, l, info);
  }
  const sink = stagingSink(ctx, l);
  const transports = startDeviceTransports(ctx, sink, [], { version: info.version });
  // A background task's power loss or fault must end the boot like the shell's would.
  await Promise.race([shell(ctx, l, (line) => transports.consoleLine(line)), background.then(() => new Promise<never>(() => undefined))]);
}

function hardFault(ctx: DeviceContext): never {
  ctx.print('zapp: HardFault at 0x0800a1c4, rebooting');
  ctx.reset('hard fault');
}

async function accept(ctx: DeviceContext, l: Layout): Promise<void> {
  const { rec } = readRecord(ctx.flash, l);
  await writeRecord(ctx.flash, l, { state: State.IDLE, size: rec.size, chunks: rec.chunks });
  ctx.print('zfota: accepted');
}

async function deviceManager(ctx: DeviceContext, l: Layout, info: AppInfo): Promise<void> {
  const ep = readEndpoint(ctx.flash, l);
  const m = ep ? /^(.+):(\d+)$/.exec(ep) : null;
  if (!ep || !m) {
    ctx.print('zdm: not provisioned, the device manager cannot be reached');
    return;
  }
  for (;;) {
    ctx.print(`zdm: connecting to ${ep}`);
    if (await handshake(ctx, m[1]!, Number(m[2]), info.version)) {
      ctx.print('zdm: connected');
      await accept(ctx, l);
      return;
    }
    ctx.print(`zdm: connection to ${ep} failed, retrying in ${RETRY_MS / 1000} s`);
    await ctx.sleep(RETRY_MS);
  }
}

/** HELLO → OK over TCP. False when the connection is refused, reset or answered otherwise. */
function handshake(ctx: DeviceContext, host: string, port: number, version: string): Promise<boolean> {
  ctx.signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf = '';
    const done = (v: boolean | Error) => {
      ctx.signal.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      sock.destroy();
      if (v instanceof Error) reject(v);
      else resolve(v);
    };
    const onAbort = () => done(ctx.signal.reason as Error);
    const timer = setTimeout(() => done(false), 5000);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    sock.on('connect', () => sock.write(`HELLO ${ctx.board} ${version} testing\n`));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      if (buf.includes('\n')) done(buf.split('\n')[0]!.trim() === 'OK');
    });
    sock.on('error', () => done(false));
    sock.on('close', () => done(false));
  });
}

async function shell(ctx: DeviceContext, l: Layout, consoleLine: (line: string) => Promise<boolean>): Promise<never> {
  for (;;) {
    const line = (await ctx.readLine()).trim();
    if (await consoleLine(line)) continue;
    const [cmd, ...args] = line.split(/\s+/);
    if (!cmd) continue;
    if (cmd === 'fota' && args.length === 1) await fota(ctx, l, args[0]!);
    else if (cmd === 'zdm' && args[0] === 'endpoint' && args.length === 2) {
      await writeEndpoint(ctx.flash, l, args[1]!);
      ctx.print(`zdm: endpoint set to ${args[1]}`);
    } else if (cmd === 'zdm') ctx.print(`zdm: endpoint ${readEndpoint(ctx.flash, l) ?? '(not provisioned)'}`);
    else if (cmd === 'reboot') ctx.reset('reboot');
    else if (cmd === 'help') ctx.print('commands: fota <url>, zdm endpoint <host>:<port>, zdm, reboot, help');
    else ctx.print(`zsh: unknown command: ${cmd}`);
  }
}

/** Writes the download into the filesystem area, erasing each sector when the write reaches it. */
class StagingWriter {
  written = 0;
  private erased = new Set<number>();
  private buf: Uint8Array;
  private fill = 0;

  constructor(
    private readonly flash: DeviceFlash,
    private readonly l: Layout,
  ) {
    this.buf = new Uint8Array(Math.min(1024, l.sectorSize));
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.written + chunk.length > this.l.slotSize) throw new Error(`image larger than the ${this.l.slotSize}-byte area`);
    for (let o = 0; o < chunk.length; ) {
      const n = Math.min(chunk.length - o, this.buf.length - this.fill);
      this.buf.set(chunk.subarray(o, o + n), this.fill);
      this.fill += n;
      o += n;
      this.written += n;
      if (this.fill === this.buf.length) await this.flush();
    }
  }

  async finish(): Promise<void> {
    if (this.fill > 0) await this.flush();
  }

  private async flush(): Promise<void> {
    const { sectorSize, writeSize, staging } = this.l;
    const len = Math.ceil(this.fill / writeSize) * writeSize;
    const data = this.buf.slice(0, len);
    data.fill(0xff, this.fill);
    const addr = staging + this.written - this.fill;
    const sector = Math.floor((addr - staging) / sectorSize);
    if (!this.erased.has(sector)) {
      await this.flash.erase(staging + sector * sectorSize, sectorSize);
      this.erased.add(sector);
    }
    await this.flash.program(addr, data);
    this.fill = 0;
  }
}

/** Verified image in the filesystem area → journal cleared → record "pending". */
async function request(ctx: DeviceContext, l: Layout): Promise<string | null> {
  const check = checkImage(ctx.flash, l.staging, l.slotSize);
  await ctx.sleep(check.ok ? check.size / HASH_BYTES_PER_MS : 1);
  if (!check.ok) return check.reason;
  const chunks = Math.ceil(Math.max(check.size, claimedSize(ctx.flash, l.firmware, l.slotSize)) / l.sectorSize);
  await eraseJournal(ctx.flash, l);
  await writeRecord(ctx.flash, l, { state: State.PENDING, size: check.size, chunks });
  return null;
}

async function fota(ctx: DeviceContext, l: Layout, url: string): Promise<void> {
  if (readRecord(ctx.flash, l).rec.state !== State.IDLE) {
    ctx.print('zfota: busy: the running firmware is not accepted yet');
    return;
  }
  ctx.print(`zfota: downloading ${url}`);
  const writer = new StagingWriter(ctx.flash, l);
  try {
    await httpDownload(url, {
      signal: ctx.signal,
      maxBytes: l.slotSize,
      idleTimeoutMs: Math.max(60_000 / ctx.config.timeScale, 5_000),
      onChunk: (chunk) => writer.write(chunk),
    });
    await writer.finish();
  } catch (e) {
    if (ctx.signal.aborted || e instanceof PowerLoss) throw e;
    ctx.print(`zfota: download failed: ${(e as Error).message}`);
    return;
  }
  ctx.print(`zfota: downloaded ${writer.written} bytes`);
  const refused = await request(ctx, l);
  if (refused) {
    ctx.print(`zfota: firmware rejected before reboot: ${refused}`);
    return;
  }
  ctx.print('zfota: firmware verified, rebooting to swap');
  await ctx.sleep(20);
  ctx.reset('fota');
}

/** For push transports: the same staging, verification and request. */
function stagingSink(ctx: DeviceContext, l: Layout): UpdateSink {
  let writer: StagingWriter | null = null;
  return {
    begin: (size) => {
      if (size > l.slotSize) return Promise.reject(new Error(`image larger than the ${l.slotSize}-byte area`));
      if (readRecord(ctx.flash, l).rec.state !== State.IDLE) return Promise.reject(new Error('the running firmware is not accepted yet'));
      writer = new StagingWriter(ctx.flash, l);
      return Promise.resolve();
    },
    write: async (offset, data) => {
      if (!writer || offset !== writer.written) throw new Error(`out-of-order write at ${offset}`);
      await writer.write(data);
    },
    end: async () => {
      if (!writer) throw new Error('not started');
      await writer.finish();
      const refused = await request(ctx, l);
      if (refused) {
        ctx.print(`zfota: firmware rejected before reboot: ${refused}`);
        throw new Error(refused);
      }
    },
    abort: (reason) => {
      writer = null;
      ctx.print(`zfota: download failed: ${reason}`);
      return Promise.resolve();
    },
    activate: async () => {
      ctx.print('zfota: firmware verified, rebooting to swap');
      await ctx.sleep(20);
      ctx.reset('fota');
    },
  };
}
