// The sketch eboot jumps to. Whether it runs at all comes from flash (a half-copied or corrupt
// image crashes, as a mix of two builds would); what it does comes from its descriptor: print a
// banner with its version, crash, hang, or run ArduinoOTA / HTTPUpdateServer and a serial shell
// with `ota <url>` (ESPhttpUpdate) and `reboot` (ESP.restart()). No commit: nothing to confirm.
import type { DeviceContext } from '../../stack.ts';
import { PowerLoss } from '../../flash.ts';
import { httpDownload } from '../../net/http-download.ts';
import { startDeviceTransports } from '../../transports/index.ts';
import type { UpdateSink } from '../../update-sink.ts';
import { FLASH_SIZE } from './layout.ts';
import { runnableSketch } from './image.ts';
import { Updater, freeSketchSpace } from './updater.ts';
import { RstCause, resetWith } from './rtc.ts';
import type { Mutation } from './mutants.ts';

/** The core's software watchdog bites a loop that never yields after ~3.2 s. */
const SOFT_WDT_MS = 3200;

export async function runSketch(ctx: DeviceContext, mut: Mutation): Promise<never> {
  const r = runnableSketch(ctx.flash);
  await ctx.sleep(250); // SDK and core start-up before setup() prints anything
  if (!r.ok) return exception(ctx, 0, 0x40100000); // executing a mix of two builds: IllegalInstruction
  ctx.print('');
  ctx.print(`OTA-HIL Sketch ${r.info.version}`);
  ctx.print(`Sketch size: ${r.end}`);
  ctx.print(`Free size: ${freeSketchSpace(ctx.flash)}`);
  if (r.info.boot === 'crash') {
    await ctx.sleep(40);
    return exception(ctx, 28, 0x40202e41);
  }
  if (r.info.boot === 'hang') {
    await ctx.sleep(SOFT_WDT_MS);
    ctx.print('');
    ctx.print('Soft WDT reset');
    stackDump(ctx);
    resetWith(ctx, RstCause.EXTERNAL, 'soft WDT');
  }
  ctx.print('IP address: 127.0.0.1');
  const updater = new Updater(ctx, mut);
  // ESP8266HTTPUpdateServer's example sketch announces itself so; other stacks' servers name no stack.
  const transports = startDeviceTransports(ctx, updateSink(ctx, updater), ['espota', 'http-push'], {
    espota: { password: ctx.config.otaPassword },
    version: r.info.version,
    httpPush: { announce: (url) => `HTTPUpdateServer ready! Open ${url} in your browser` },
  });
  for (;;) {
    const line = (await ctx.readLine()).trim();
    if (await transports.consoleLine(line)) continue;
    const [cmd, ...args] = line.split(/\s+/);
    if (!cmd) continue;
    if (cmd === 'ota' && args.length === 1) await httpUpdate(ctx, updater, args[0]!);
    else if (cmd === 'reboot') restart(ctx);
    else if (cmd === 'help') ctx.print('commands: ota <url> (ESPhttpUpdate), reboot (ESP.restart), help');
    else ctx.print(`unknown command: ${line}`);
  }
}

function restart(ctx: DeviceContext): never {
  ctx.print('Rebooting...');
  resetWith(ctx, RstCause.EXTERNAL, 'ESP.restart()');
}

/** The core's postmortem: exception cause, registers, stack; then the chip restarts. */
function exception(ctx: DeviceContext, cause: number, epc: number): never {
  ctx.print('');
  ctx.print(`Exception (${cause}):`);
  ctx.print(`epc1=0x${epc.toString(16).padStart(8, '0')} epc2=0x00000000 epc3=0x00000000 excvaddr=0x00000000 depc=0x00000000`);
  stackDump(ctx);
  resetWith(ctx, RstCause.EXTERNAL, `exception ${cause}`);
}

function stackDump(ctx: DeviceContext): void {
  ctx.print('');
  ctx.print('>>>stack>>>');
  ctx.print('ctx: cont');
  ctx.print('sp: 3ffffdc0 end: 3fffffc0 offset: 01a0');
  ctx.print('<<<stack<<<');
}

/** ESPhttpUpdate.update(url): blocking GET, Update.begin/write/end, then restart on success. */
async function httpUpdate(ctx: DeviceContext, updater: Updater, url: string): Promise<void> {
  const t0 = ctx.uptimeMs();
  ctx.print(`Update Start: url:${url}`);
  let total = 0;
  let nextReport = 0.25;
  try {
    await httpDownload(url, {
      signal: ctx.signal,
      maxBytes: FLASH_SIZE,
      idleTimeoutMs: Math.max(60_000 / ctx.config.timeScale, 5_000),
      onStart: ({ contentLength, headers }) => {
        if (!contentLength) throw new Error('Server Did Not Report Size');
        total = contentLength;
        const md5 = headers['x-md5'];
        if (!updater.begin(contentLength, typeof md5 === 'string' ? md5 : undefined)) throw new Error(updater.error ?? 'begin failed');
      },
      onChunk: async (chunk) => {
        if (!(await updater.write(chunk))) throw new Error(updater.error ?? 'write failed');
        while (total && updater.written >= nextReport * total && nextReport < 1) {
          ctx.print(`Update progress: ${Math.round(nextReport * 100)}%`);
          nextReport += 0.25;
        }
      },
    });
    if (!(await updater.end())) throw new Error(updater.error ?? 'end failed');
  } catch (e) {
    // Power loss and resets end this boot; anything else is a failed update on a running sketch.
    if (ctx.signal.aborted || e instanceof PowerLoss) throw e;
    updater.reset();
    ctx.print(`Update error: ${(e as Error).message}`);
    return;
  }
  ctx.print(`Update Success: ${Math.round(ctx.uptimeMs() - t0)}`);
  await ctx.sleep(20);
  restart(ctx);
}

/** What push transports (ArduinoOTA, HTTPUpdateServer) drive: the same Updater. */
function updateSink(ctx: DeviceContext, updater: Updater): UpdateSink {
  const refuse = (): never => {
    const why = updater.error ?? 'refused';
    ctx.print(`Update error: ${why}`);
    throw new Error(why);
  };
  return {
    begin: async (size, meta) => {
      ctx.print(`Update Start: size:${size}`);
      if (!updater.begin(size, meta?.md5)) refuse();
      await ctx.sleep(0);
    },
    write: async (offset, data) => {
      if (offset !== updater.written) throw new Error(`out-of-order write at ${offset}, expected ${updater.written}`);
      if (!(await updater.write(data))) refuse();
    },
    end: async () => {
      if (!(await updater.end())) refuse();
    },
    abort: (reason) => {
      updater.reset();
      ctx.print(`Update error: ${reason}`);
      return Promise.resolve();
    },
    activate: async () => {
      ctx.print('Update Success');
      await ctx.sleep(20);
      restart(ctx);
    },
  };
}
