// A Mongoose OS application, the same on every port: banner, the first-boot work of an update
// (tombstone, filesystem merge, commit watchdog or auto-commit from updater.dat), then the
// console. Its behaviour (crash, hang, commit itself) comes from its own image in flash.
import type { DeviceContext } from '../../stack.ts';
import { startDeviceTransports } from '../../transports/index.ts';
import { MOS_VERSION, readDescriptor, type AppDescriptor } from './app-image.ts';
import { buildId } from './firmware.ts';
import { MosFs } from './fs.ts';
import { MosUpdater } from './updater.ts';
import { mosLine, mosLog, reboot, Tasks, type BootInfo, type MosLog, type MosPlatform } from './platform.ts';
import type { Mutation } from './mutants.ts';
import { consoleRpc } from './rpc.ts';

/** Watchdog period for a hung app (the ESP8266 soft WDT is shorter; close enough). */
const WDT_MS = 5000;
const CORE = 'mgos_updater_common.c';

export async function runMos(ctx: DeviceContext, plat: MosPlatform, mut: Mutation): Promise<void> {
  const tasks = new Tasks(ctx);
  await Promise.race([main(ctx, plat, mut, tasks), tasks.failed]);
}

async function main(ctx: DeviceContext, plat: MosPlatform, mut: Mutation, tasks: Tasks): Promise<void> {
  const log = mosLog(ctx);
  const info = plat.info();
  const slot = plat.slots[info.running]!;
  const d = readDescriptor(ctx.flash, slot.app.off, plat.chip);
  if (!d) return crash(ctx, plat); // not our code: jumping into it faults
  // Early init, before anything can reset: this is what makes any reset before commit go back.
  // The console is not up yet, so its messages follow the banner.
  const early: [string, string][] = [];
  const earlyLog: MosLog = (where, text) => early.push([where, text]);
  if (info.firstBoot) await plat.earlyInit(earlyLog);
  if (info.abandoned) await plat.forgetAbandoned(earlyLog);
  // The banner goes out in one burst, as the UART sends it; the app's own version line is part of
  // it, so a reader never sees the app up without knowing which version it is.
  const banner = plat.banner(info);
  const at = mosLine;
  ctx.print(
    [
      at(`${plat.files.main}:172`, `${d.app} ${d.version} (${buildId(d.version, d.declared)})`),
      at(`${plat.files.main}:174`, `Mongoose OS ${MOS_VERSION} (${buildId(MOS_VERSION, 'mongoose-os')})${banner.mosSuffix}`),
      ...banner.lines.map(([where, text]) => at(where, text)),
      at('main.c:24', `Firmware version ${d.version}`),
    ].join('\r\n'),
  );
  early.forEach(([where, text]) => log(where, text));
  await ctx.sleep(30);

  const fs = new MosFs(ctx.flash, slot.fs, plat.writeSize);
  if (fs.torn) log('mgos_vfs.c:421', `FS: ${fs.torn} damaged record(s) skipped`);
  if (info.mergeFs) {
    if (!mut.has('no-fs-merge')) await mergeFs(ctx, plat, info, fs, log);
    await plat.mergeDone();
  }
  const updater = new MosUpdater(ctx, plat, info, log);
  if (info.firstBoot && mut.has('commit-before-selftest')) await updater.commit();

  await ctx.sleep(50); // the app's own init
  if (d.boot === 'crash') return crash(ctx, plat);
  if (d.boot === 'hang') {
    await ctx.sleep(WDT_MS); // silent until the watchdog bites
    plat.hang().forEach((l) => ctx.print(l));
    reboot(ctx, 'watchdog', 'wdt');
  }
  if (info.firstBoot) await bootFinish(ctx, d, fs, updater, log, tasks);

  const transports = startDeviceTransports(ctx, updater, ['mos-rpc', 'http-push'], { version: d.version });
  log('mgos_init.c:36', 'Init done, RAM: 52936 total, 44880 free, 44412 min free');
  const rpc = consoleRpc(ctx, plat, d, fs, updater, log);
  for (;;) {
    const line = await ctx.readLine();
    if (await transports.consoleLine(line)) continue;
    await rpc(line);
  }
}

/** mgos_upd_boot_finish on a first boot: the commit watchdog, or an auto-commit. */
async function bootFinish(ctx: DeviceContext, d: AppDescriptor, fs: MosFs, updater: MosUpdater, log: MosLog, tasks: Tasks): Promise<void> {
  let ct = 0;
  try {
    const dat = JSON.parse(Buffer.from(fs.get('updater.dat') ?? []).toString('utf8')) as { commit_timeout?: unknown };
    if (typeof dat.commit_timeout === 'number') ct = dat.commit_timeout;
  } catch {
    ct = 0; // no or damaged updater.dat: nothing asks for a watchdog
  }
  if (d.confirm === 'self') {
    log('main.c:31', 'Self-test passed, committing');
    await updater.commit();
  } else if (ct > 0) {
    log(`${CORE}:612`, `Arming commit watchdog for ${ct} seconds`);
    updater.commitTimeout = ct;
    tasks.spawn(async () => {
      await ctx.sleep(ct * 1000);
      if (updater.committed) return;
      log(`${CORE}:598`, 'Update commit timeout expired');
      await updater.revert();
    });
  } else {
    await updater.commit();
  }
}

/** mgos_upd_merge_fs: files of the old filesystem that the new one lacks are copied over. */
async function mergeFs(ctx: DeviceContext, plat: MosPlatform, info: BootInfo, fs: MosFs, log: MosLog): Promise<void> {
  const old = new MosFs(ctx.flash, plat.slots[info.revertSlot]!.fs, plat.writeSize);
  for (const name of old.names()) {
    if (fs.get(name) !== undefined) continue; // files shipped with the new firmware win
    log(`${CORE}:532`, `Copying ${name}`);
    await fs.put(name, old.get(name)!);
  }
}

function crash(ctx: DeviceContext, plat: MosPlatform): never {
  plat.crash().forEach((l) => ctx.print(l));
  reboot(ctx, 'panic', 'panic');
}
