// The Zephyr application MCUboot jumps to. Its behaviour comes from the primary slot's body in
// flash (never from JS state that might have survived a cut): crash, hang, or run a shell with
// `ota <url>`, `mcuboot [confirm]` and `reboot`.
import type { DeviceContext } from '../../stack.ts';
import { PowerLoss } from '../../flash.ts';
import { httpDownload } from '../../net/http-download.ts';
import type { Layout } from './layout.ts';
import { IMAGE_MAGIC, checkImage, formatVersion, parseHeader, readAppInfo } from './image.ts';
import { Flag, formatSwapState, readSwapState, swapTypeFromTable, swapTypeName, type SwapState } from './trailer.ts';
import { SecondaryWriter, setConfirmed, setPending } from './dfu.ts';
import { zephyrLog, type ZephyrLog } from './zephyr-log.ts';
import { ZEPHYR_VERSION } from './bootloader.ts';
import { startDeviceTransports, type DeviceTransports } from '../../transports/index.ts';
import { mcubootSink } from './sink.ts';

/** Hardware watchdog period: a hung app is reset after this much simulated time. */
export const WATCHDOG_MS = 10_000;
/** Print download progress each time this many more bytes arrived. */
const PROGRESS_STEP = 12288;

export async function runApp(ctx: DeviceContext, layout: Layout): Promise<void> {
  const log = zephyrLog(ctx);
  const info = readAppInfo(ctx.flash, layout.primary.off, layout.maxImageSize);
  ctx.print(`*** Booting Zephyr OS build v${ZEPHYR_VERSION} ***`);
  await ctx.sleep(12);
  if (!info) return fatal(ctx, log); // not our code: jumping into it faults
  log('inf', 'app', `Firmware version ${info.version}`);
  if (info.boot === 'crash') {
    await ctx.sleep(30);
    return fatal(ctx, log);
  }
  if (info.boot === 'hang') {
    await ctx.sleep(WATCHDOG_MS); // silent until the watchdog bites
    ctx.reset('watchdog');
  }
  const mcumgr = startDeviceTransports(ctx, mcubootSink(ctx, layout), ['smp'], { version: info.version });
  if (info.confirm === 'self') await confirm(ctx, layout, log);
  await shell(ctx, layout, log, mcumgr);
}

function fatal(ctx: DeviceContext, log: ZephyrLog): never {
  const e = (s: string) => log('err', 'os', s);
  e('***** MPU FAULT *****');
  e('  Data Access Violation');
  e('  MMFAR Address: 0x0');
  e('r0/a1:  0x00000000  r1/a2:  0x00000001  r2/a3:  0x00000000');
  e('r3/a4:  0x00000000 r12/ip:  0x00000000 r14/lr:  0x0000d1a3');
  e(' xpsr:  0x61000000');
  e('Faulting instruction address (r15/pc): 0x0000d1b0');
  e('>>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0');
  e('Current thread: 0x20000a10 (main)');
  e('Resetting system');
  ctx.reset('fatal error');
}

async function confirm(ctx: DeviceContext, layout: Layout, log: ZephyrLog): Promise<void> {
  const rc = await setConfirmed(ctx.flash, layout);
  if (rc === 'written') log('inf', 'app', 'Image confirmed');
  else if (rc === 'already') log('inf', 'app', 'Image already confirmed');
  else log('err', 'app', 'Failed to confirm image: bad primary trailer magic');
}

async function shell(ctx: DeviceContext, layout: Layout, log: ZephyrLog, mcumgr: DeviceTransports): Promise<never> {
  for (;;) {
    const raw = await ctx.readLine();
    if (await mcumgr.consoleLine(raw)) continue; // an SMP frame: the shell never sees it
    const line = raw.trim();
    ctx.print(`uart:~$ ${line}`); // prompt and echo, as the Zephyr shell shows them
    const [cmd, ...args] = line.split(/\s+/);
    if (!cmd) continue;
    if (cmd === 'ota' && args.length === 1) await ota(ctx, layout, log, args[0]!);
    else if (cmd === 'ota') ctx.print('ota: wrong parameter count (usage: ota <url>)');
    else if (cmd === 'mcuboot' && args.length === 0) info(ctx, layout, log);
    else if (cmd === 'mcuboot' && args[0] === 'confirm') await confirm(ctx, layout, log);
    else if (cmd === 'mcuboot' && args[0] === 'request_upgrade') {
      const rc = await setPending(ctx.flash, layout, args[1] === 'permanent');
      ctx.print(rc === 'bad-magic' ? 'request upgrade failed: bad secondary trailer' : 'requested upgrade');
    } else if (cmd === 'mcuboot') ctx.print(`mcuboot: unknown parameter: ${args[0]}`);
    else if (cmd === 'reboot' || (cmd === 'kernel' && args[0] === 'reboot')) ctx.reset('sys_reboot');
    else if (cmd === 'help') HELP.forEach((l) => ctx.print(l));
    else ctx.print(`${cmd}: command not found`);
  }
}

const HELP = [
  'Available commands:',
  '  help     :Prints the help message.',
  '  kernel   :Kernel commands (kernel reboot cold)',
  '  mcuboot  :MCUboot commands (mcuboot, mcuboot confirm, mcuboot request_upgrade [permanent])',
  '  ota      :Download an image into the secondary slot and request a test upgrade (ota <url>)',
  '  reboot   :Reboot the device',
];

/** Download into the secondary slot, then request a test upgrade and reboot into it. */
async function ota(ctx: DeviceContext, layout: Layout, log: ZephyrLog, url: string): Promise<void> {
  log('inf', 'app', `Starting download from ${url}`);
  const writer = new SecondaryWriter(ctx.flash, layout);
  let total: number | null = null;
  let nextReport = PROGRESS_STEP;
  try {
    await httpDownload(url, {
      signal: ctx.signal,
      maxBytes: layout.maxImageSize,
      idleTimeoutMs: Math.max(60_000 / ctx.config.timeScale, 5_000),
      // The slot is erased once the server answers, as img_mgmt erases at the first chunk.
      onStart: async ({ contentLength }) => {
        total = contentLength;
        await writer.begin();
      },
      onChunk: async (chunk) => {
        await writer.write(chunk);
        while (writer.written >= nextReport) {
          log('inf', 'app', `Downloaded ${nextReport}/${total ?? '?'} bytes`);
          nextReport += PROGRESS_STEP;
        }
      },
    });
    await writer.finish();
  } catch (e) {
    // A power cut or reset ends this life; anything else is a failed download on a running app.
    if (ctx.signal.aborted || e instanceof PowerLoss) throw e;
    log('err', 'app', `Download failed: ${(e as Error).message}`);
    return;
  }
  log('inf', 'app', `Downloaded ${writer.written}/${total ?? writer.written} bytes`);
  if (parseHeader(ctx.flash.read(layout.secondary.off, 32)).magic !== IMAGE_MAGIC) {
    log('err', 'app', 'Download failed: not an MCUboot image');
    return;
  }
  const rc = await setPending(ctx.flash, layout, false);
  if (rc === 'bad-magic') {
    log('err', 'app', 'Failed to request upgrade: bad secondary trailer, slot erased');
    return;
  }
  log('inf', 'app', 'Test upgrade requested, rebooting');
  await ctx.sleep(50); // let the log drain before sys_reboot
  ctx.reset('sys_reboot');
}

/** `mcuboot` with no arguments: what bootutil and the trailers say, like Zephyr's mcuboot shell. */
function info(ctx: DeviceContext, layout: Layout, log: ZephyrLog): void {
  const primary = readSwapState(ctx.flash, layout.primary);
  const secondary = readSwapState(ctx.flash, layout.secondary);
  const type = swapTypeFromTable(primary, secondary);
  // bootutil logs its table decision under its own module whenever an app asks.
  log('inf', 'mcuboot_util', `Image index: 0, Swap type: ${swapTypeName(type)}`);
  ctx.print(`swap type: ${swapTypeName(type)}`);
  ctx.print(`confirmed: ${primary.magic === 'unset' || primary.imageOk === Flag.SET ? 1 : 0}`);
  const area = (name: string, id: number, off: number, st: SwapState) => {
    ctx.print('');
    ctx.print(`${name} area (${id}):`);
    const check = checkImage(ctx.flash, off, layout.maxImageSize);
    if (check.header) ctx.print(`  version: ${formatVersion(check.header.version)}+${check.header.version.build}`);
    if (check.ok) ctx.print(`  image size: ${check.size}`);
    ctx.print(`  ${formatSwapState('trailer', st)}`);
  };
  area('primary', 1, layout.primary.off, primary);
  area('secondary', 2, layout.secondary.off, secondary);
}
