// The simulated ESP-IDF application: startup lines (cpu_start, app_init with the version from its
// own esp_app_desc_t in flash), then app_main: report the running partition's OTA state, behave as
// its image says (crash, hang, confirm itself or wait), start the pushed transports, and run an
// esp_console REPL with `ota <url>`, `ota confirm`, `ota rollback`, `ota status`, `restart`.
import type { DeviceContext } from '../../stack.ts';
import { PowerLoss } from '../../flash.ts';
import { startDeviceTransports } from '../../transports/index.ts';
import type { EspLog } from './esp-log.ts';
import type { Layout } from './layout.ts';
import type { Mutation } from './mutants.ts';
import { rollbackEnabled, type Booted } from './bootloader.ts';
import { IDF_VERSION, readAppInfo } from './app-desc.ts';
import { EspError, EspOta } from './ota-ops.ts';
import { OtaState, describeEntry, stateName } from './otadata.ts';
import { APP_TAG, httpsOta } from './https-ota.ts';
import { otaSink } from './sink.ts';
import { guruMeditation, taskWatchdog } from './panic.ts';
import { Reset, chipReset } from './rom.ts';
import { entryRules } from './mutants.ts';

/** How long app_main runs before a crashing image faults (during its "diagnostics"). */
const CRASH_AFTER_MS = 1500;
const PROMPT = 'esp32> ';

export async function runApp(ctx: DeviceContext, log: EspLog, booted: Booted, layout: Layout, mut: Mutation): Promise<void> {
  const info = readAppInfo(ctx.flash, booted.app.offset);
  const i = (tag: string, s: string) => log('I', tag, s);
  i('cpu_start', 'Multicore app');
  i('cpu_start', 'Pro cpu start user code');
  i('cpu_start', 'cpu freq: 160000000 Hz');
  if (!info) return guruMeditation(ctx, '0000000000000000', 'IllegalInstruction'); // no app descriptor: not our code
  const elfSha = Buffer.from(info.desc.elfSha256.subarray(0, 8)).toString('hex');
  i('app_init', 'Application information:');
  i('app_init', `Project name:     ${info.desc.project}`);
  i('app_init', `App version:      ${info.desc.version}`);
  i('app_init', `Compile time:     ${info.desc.date} ${info.desc.time}`);
  i('app_init', `ELF file SHA256:  ${elfSha}...`);
  i('app_init', `ESP-IDF:          ${info.desc.idf}`);
  i('efuse_init', 'Min chip rev:     v0.0');
  i('efuse_init', 'Max chip rev:     v3.99 ');
  i('efuse_init', 'Chip rev:         v3.0');
  i('spi_flash', 'detected chip: generic');
  i('spi_flash', 'flash io: dio');
  await ctx.sleep(60);
  i('main_task', 'Started on CPU0');
  i('main_task', 'Calling app_main()');

  const ota = EspOta.open({
    flash: ctx.flash,
    parts: booted.parts,
    running: booted.app,
    log,
    mut,
    writeSize: layout.writeSize,
    rollback: rollbackEnabled(ctx),
    restart: () => chipReset(ctx, Reset.SW_CPU, 'esp_restart'),
    sleep: (ms) => ctx.sleep(ms),
  });
  const state = ota.stateOrNull(booted.app);
  const running = `Running partition: ${booted.app.label} (offset 0x${booted.app.offset.toString(16)})`;
  i(APP_TAG, state === null ? `${running}, no OTA state` : `${running}, OTA state ESP_OTA_IMG_${stateName(state)}`);
  const behaviour = info.sim ?? { boot: 'ok', confirm: 'wait' };
  if (behaviour.boot === 'crash') {
    await ctx.sleep(CRASH_AFTER_MS);
    return guruMeditation(ctx, elfSha);
  }
  if (behaviour.boot === 'hang') return taskWatchdog(ctx, log, elfSha);
  if (state === OtaState.PENDING_VERIFY) {
    // As arduino-esp32 does at init unless verifyRollbackLater(): confirm once up.
    if (behaviour.confirm === 'self') await confirm(ctx, ota, log);
    else i(APP_TAG, "Trial boot: type 'ota confirm' to keep this image; any reset before that reverts it");
  }
  const transports = startDeviceTransports(ctx, otaSink(ota, log), ['http-push'], { version: info.desc.version });
  for (;;) {
    const line = (await ctx.readLine()).trim();
    if (await transports.consoleLine(line)) continue;
    ctx.print(PROMPT + line); // linenoise echoes the prompt and what was typed
    const [cmd, ...args] = line.split(/\s+/);
    if (!cmd) continue;
    const ok = await command(ctx, ota, log, mut, cmd, args);
    if (!ok) ctx.print('Command returned non-zero error code: 0x1 (ERROR)');
  }
}

async function command(ctx: DeviceContext, ota: EspOta, log: EspLog, mut: Mutation, cmd: string, args: string[]): Promise<boolean> {
  try {
    if (cmd === 'ota' && args.length === 1 && args[0] === 'confirm') return await confirm(ctx, ota, log);
    if (cmd === 'ota' && args.length === 1 && args[0] === 'rollback') return await ota.markInvalidAndReboot();
    if (cmd === 'ota' && args.length === 1 && args[0] === 'status') return status(ctx, ota, mut);
    if (cmd === 'ota' && args.length === 1) return await httpsOta(ctx, ota, log, args[0]!);
    if (cmd === 'ota') {
      ctx.print('ota: usage: ota <url> | ota confirm | ota rollback | ota status');
      return false;
    }
    if (cmd === 'restart') {
      log('I', 'restart', 'Restarting');
      return ota.restartNow();
    }
    if (cmd === 'version') {
      ctx.print(`IDF Version:${IDF_VERSION}`);
      ctx.print('Chip info:');
      ctx.print('\tmodel:ESP32');
      ctx.print('\tcores:2');
      ctx.print('\trevision number:300');
      return true;
    }
    if (cmd === 'help') {
      HELP.forEach((l) => ctx.print(l));
      return true;
    }
    ctx.print('Unrecognized command');
    return true;
  } catch (e) {
    if (ctx.signal.aborted || e instanceof PowerLoss || !(e instanceof EspError)) throw e;
    log('E', APP_TAG, `${cmd} ${args.join(' ')} failed: ${e.message}`);
    return false;
  }
}

/** esp_ota_mark_app_valid_cancel_rollback, as the `ota confirm` command and self-confirming apps call it. */
async function confirm(ctx: DeviceContext, ota: EspOta, log: EspLog): Promise<boolean> {
  const rc = await ota.markValid();
  log('I', APP_TAG, rc === 'marked' ? 'esp_ota_mark_app_valid_cancel_rollback: app marked valid, rollback cancelled' : 'App already valid (ESP_OTA_IMG_VALID)');
  return true;
}

function status(ctx: DeviceContext, ota: EspOta, mut: Mutation): boolean {
  const state = ota.stateOrNull(ota.running);
  ctx.print(`running: ${ota.running.label} (${state === null ? 'no OTA state' : `ESP_OTA_IMG_${stateName(state)}`})`);
  ctx.print(`boot:    ${ota.bootPartition()?.label ?? 'none'}`);
  ctx.print(`next:    ${ota.nextUpdatePartition()?.label ?? 'none'}`);
  ota.otadata().forEach((e, n) => ctx.print(describeEntry(n, e, entryRules(mut))));
  return true;
}

const HELP = [
  'help ',
  '  Print the list of registered commands',
  '',
  'ota  <url>|confirm|rollback|status',
  '  Download an image over HTTP into the passive OTA partition and boot it; confirm or roll back',
  '  the running image; show the OTA state',
  '',
  'restart ',
  '  Software reset of the chip',
  '',
  'version ',
  '  Get version of chip and SDK',
];
