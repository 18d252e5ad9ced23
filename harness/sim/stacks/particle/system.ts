// Device OS and the user application on the simulated Particle-style board. Device OS checks the
// user module (CRC, platform, dependency); a bad one leaves Device OS running alone: safe mode,
// which can still take an update. OTA runs in the background while the application keeps
// running: the module is written to the OTA region and nothing else changes until the whole module
// is received and verified; then the DCT slot is set and the device resets. With updates disabled
// (System.disableUpdates(), RAM only) an update is reported pending and waits for enableUpdates().
import type { DeviceContext, DeviceFlash } from '../../stack.ts';
import { PowerLoss } from '../../flash.ts';
import { httpDownload } from '../../net/http-download.ts';
import { startDeviceTransports } from '../../transports/index.ts';
import type { UpdateSink } from '../../update-sink.ts';
import type { Layout } from './layout.ts';
import type { Mutation } from './mutants.ts';
import { DEVICE_OS, checkModule, type AppInfo } from './module.ts';
import { clearSlot, writeSlot } from './dct.ts';

const WATCHDOG_MS = 10_000;
const CRC_BYTES_PER_MS = 4000;

export async function runDeviceOs(ctx: DeviceContext, l: Layout, mut: Mutation): Promise<never> {
  ctx.print(`sys: Device OS ${DEVICE_OS.text}`);
  const user = checkModule(ctx.flash, l.user, l.slotSize);
  await ctx.sleep(user.ok ? user.length / CRC_BYTES_PER_MS : 1);
  const os = new DeviceOs(ctx, l, mut);
  if (!user.ok || !user.info) {
    ctx.print(`sys: user module invalid (${user.ok ? 'not an application' : user.reason})`);
    ctx.print('sys: safe mode');
    return os.run(null);
  }
  ctx.print('sys: user firmware running');
  return os.run(user.info);
}

class DeviceOs {
  private updatesEnabled = true;
  private pending: string | null = null;
  private busy = false;
  private crash!: (e: unknown) => void;
  /** Rejects when a background task fails (power loss included): the boot ends with it. */
  private readonly crashed = new Promise<never>((_, reject) => (this.crash = reject));

  constructor(
    private readonly ctx: DeviceContext,
    private readonly l: Layout,
    private readonly mut: Mutation,
  ) {}

  async run(app: AppInfo | null): Promise<never> {
    const { ctx } = this;
    if (app) {
      ctx.print(`app: version ${app.version}`);
      if (app.boot === 'crash') {
        await ctx.sleep(30);
        ctx.print('sys: Hard Fault in user firmware (SOS), resetting');
        ctx.reset('hard fault');
      }
      if (app.boot === 'hang') {
        await ctx.sleep(WATCHDOG_MS);
        ctx.print('sys: watchdog reset');
        ctx.reset('watchdog');
      }
    }
    const transports = startDeviceTransports(ctx, this.sink(), [], { version: app?.version });
    return Promise.race([this.shell(app, (line) => transports.consoleLine(line)), this.crashed]);
  }

  private async shell(app: AppInfo | null, consoleLine: (line: string) => Promise<boolean>): Promise<never> {
    const { ctx } = this;
    for (;;) {
      const line = (await ctx.readLine()).trim();
      if (await consoleLine(line)) continue;
      const [cmd, ...args] = line.split(/\s+/);
      if (!cmd) continue;
      if (cmd === 'ota' && args.length === 1) this.ota(args[0]!);
      else if (cmd === 'updates' && app && (args[0] === 'disable' || args[0] === 'enable')) this.setUpdates(args[0] === 'enable');
      else if (cmd === 'status') {
        const u = `updates ${this.updatesEnabled ? 'enabled' : 'disabled'}${this.pending ? ', update pending' : ''}`;
        ctx.print(app ? `app: running, version ${app.version}, ${u}` : `sys: safe mode, no user firmware, ${u}`);
      } else if (cmd === 'reboot') ctx.reset('System.reset()');
      else if (cmd === 'help') ctx.print(`commands: ota <url>, ${app ? 'updates disable|enable, ' : ''}status, reboot, help`);
      else ctx.print(`unknown command: ${cmd}`);
    }
  }

  private setUpdates(enabled: boolean): void {
    this.updatesEnabled = enabled;
    this.ctx.print(`sys: updates ${enabled ? 'enabled' : 'disabled'}`);
    const url = this.pending;
    if (enabled && url) {
      this.pending = null;
      this.ota(url);
    }
  }

  private deferred(): boolean {
    return !this.updatesEnabled && !this.mut.has('updates-not-deferred');
  }

  /** Start an update in the background; the application and the shell keep running. */
  private ota(url: string): void {
    if (this.busy) {
      this.ctx.print('sys: firmware_update busy');
      return;
    }
    if (this.deferred()) {
      this.pending = url;
      this.ctx.print('sys: firmware_update_pending');
      return;
    }
    this.busy = true;
    this.download(url)
      .catch((e: unknown) => this.crash(e))
      .finally(() => (this.busy = false));
  }

  private async download(url: string): Promise<void> {
    const { ctx, l } = this;
    ctx.print('sys: firmware_update begin');
    const writer = new OtaWriter(ctx.flash, l);
    try {
      await clearSlot(ctx.flash, l); // PR #2346: a stale slot must not meet a half-written module
      let next = 0.25;
      let total = 0;
      await httpDownload(url, {
        signal: ctx.signal,
        maxBytes: l.slotSize,
        idleTimeoutMs: Math.max(60_000 / ctx.config.timeScale, 5_000),
        onStart: ({ contentLength }) => void (total = contentLength ?? 0),
        onChunk: async (chunk) => {
          await writer.write(chunk);
          while (total && writer.written >= next * total && next < 1) {
            ctx.print(`sys: firmware_update progress ${Math.round(next * 100)}%`);
            next += 0.25;
          }
        },
      });
      await writer.finish();
    } catch (e) {
      if (ctx.signal.aborted || e instanceof PowerLoss) throw e;
      ctx.print(`sys: firmware_update failed: ${(e as Error).message}`);
      return;
    }
    await this.apply(writer.written);
  }

  /** Verify the whole module, then set the slot and reset (now, or once updates are enabled). */
  private async apply(length: number): Promise<void> {
    const { ctx, l } = this;
    if (!this.mut.has('no-verify')) {
      const check = checkModule(ctx.flash, l.ota, l.slotSize);
      await ctx.sleep(length / CRC_BYTES_PER_MS);
      if (!check.ok || check.length !== length) {
        ctx.print(`sys: firmware_update failed: ${check.ok ? 'length mismatch' : check.reason}`);
        return;
      }
    }
    await writeSlot(ctx.flash, l, { src: l.ota, dst: l.user, length });
    ctx.print('sys: firmware_update complete');
    while (this.deferred()) await ctx.sleep(100); // the slot waits; reset once updates are enabled
    ctx.print('sys: resetting to apply the update');
    await ctx.sleep(20);
    ctx.reset('OTA complete');
  }

  /** For push transports: the same staging and verification. */
  private sink(): UpdateSink {
    let writer: OtaWriter | null = null;
    return {
      begin: async (size) => {
        if (size > this.l.slotSize) throw new Error(`module larger than the ${this.l.slotSize}-byte OTA region`);
        if (this.deferred()) throw new Error('updates disabled');
        this.ctx.print('sys: firmware_update begin');
        await clearSlot(this.ctx.flash, this.l);
        writer = new OtaWriter(this.ctx.flash, this.l);
      },
      write: async (offset, data) => {
        if (!writer || offset !== writer.written) throw new Error(`out-of-order write at ${offset}`);
        await writer.write(data);
      },
      end: async () => {
        if (!writer) throw new Error('not started');
        await writer.finish();
        const check = checkModule(this.ctx.flash, this.l.ota, this.l.slotSize);
        if (!this.mut.has('no-verify') && (!check.ok || check.length !== writer.written)) {
          this.ctx.print(`sys: firmware_update failed: ${check.ok ? 'length mismatch' : check.reason}`);
          throw new Error(check.ok ? 'length mismatch' : check.reason);
        }
      },
      abort: (reason) => {
        writer = null;
        this.ctx.print(`sys: firmware_update failed: ${reason}`);
        return Promise.resolve();
      },
      activate: async () => {
        if (!writer) throw new Error('not started');
        await writeSlot(this.ctx.flash, this.l, { src: this.l.ota, dst: this.l.user, length: writer.written });
        this.ctx.print('sys: firmware_update complete');
        this.ctx.print('sys: resetting to apply the update');
        await this.ctx.sleep(20);
        this.ctx.reset('OTA complete');
      },
    };
  }
}

/** Writes the module into the OTA region, erasing each sector when the write reaches it. */
class OtaWriter {
  written = 0;
  private buf: Uint8Array;
  private fill = 0;
  private erasedUpTo = 0;

  constructor(
    private readonly flash: DeviceFlash,
    private readonly l: Layout,
  ) {
    this.buf = new Uint8Array(Math.min(1024, l.sectorSize));
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.written + chunk.length > this.l.slotSize) throw new Error(`module larger than the ${this.l.slotSize}-byte OTA region`);
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
    const len = Math.ceil(this.fill / this.l.writeSize) * this.l.writeSize;
    const data = this.buf.slice(0, len);
    data.fill(0xff, this.fill);
    const at = this.written - this.fill;
    while (this.erasedUpTo < at + len) {
      await this.flash.erase(this.l.ota + this.erasedUpTo, this.l.sectorSize);
      this.erasedUpTo += this.l.sectorSize;
    }
    await this.flash.program(this.l.ota + at, data);
    this.fill = 0;
  }
}
