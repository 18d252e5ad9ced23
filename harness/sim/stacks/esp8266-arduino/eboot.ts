// eboot (bootloaders/eboot/eboot.c): read the RTC command; COPY_RAW copies the staged image over
// the sketch sector by sector (erase, write; eboot's own sector only when it differs: 'B'); the
// command is cleared only after the copy, so a warm reset mid-copy copies again. Then load the
// sketch's IRAM/DRAM segments and jump. It prints characters, not lines: 'v' + the sketch's version
// word, '@'/'~', 'cp:' + rc, 'ld', 'e:' + rc. There is no check that the sketch is whole: a power cut mid-copy loses RTC memory and
// eboot loads whatever half-copied image is there.
import type { DeviceContext } from '../../stack.ts';
import { APP_START, FLASH_SIZE, SECTOR, roundUp } from './layout.ts';
import { ESP_MAGIC } from './image.ts';
import type { Mutation } from './mutants.ts';
import { ACTION_COPY_RAW, ACTION_LOAD_APP, RstCause, clearCommand, readCommand, resetWith } from './rtc.ts';

/** Returns when eboot jumps to the sketch; otherwise it resets (SWRST) or hangs. */
export async function runEboot(ctx: DeviceContext, mut: Mutation): Promise<void> {
  // print_version: the first word of the sketch's first segment, as eboot reads it before anything else.
  const word = new DataView(ctx.flash.read(APP_START + 16, 4).buffer).getUint32(0, true);
  ctx.print(`v${word.toString(16).padStart(8, '0')}`);
  const cmd = readCommand(ctx);
  let out = cmd ? '@' : '~';
  let action = cmd?.action ?? ACTION_LOAD_APP;
  let loadFrom = cmd?.args[0] ?? 0;
  let res = 9;
  if (cmd && mut.has('command-cleared-before-copy')) clearCommand(ctx);
  if (cmd && action === ACTION_COPY_RAW) {
    const [src = 0, dst = 0, size = 0] = cmd.args;
    const copy = await copyRaw(ctx, src, dst, size);
    res = copy.rc;
    ctx.print(`${out}cp:${copy.skippedBoot ? 'B' : ''}${res}`);
    out = '';
    if (res === 0) {
      action = ACTION_LOAD_APP;
      loadFrom = dst;
    }
  }
  if (cmd) clearCommand(ctx); // after the copy: PR #6823
  if (action === ACTION_LOAD_APP) {
    ctx.print(`${out}ld`);
    res = await loadApp(ctx, loadFrom);
    if (res === 0) return;
    ctx.print(`e:${res}`);
  }
  if (res) resetWith(ctx, RstCause.EXTERNAL, `eboot failed (${res})`);
  await new Promise<never>(() => undefined); // while (true) {}
}

/** copy_raw: 0 ok, 1 misaligned, 2 erase failed, 3 read failed, 4 write failed. */
async function copyRaw(ctx: DeviceContext, src: number, dst: number, size: number): Promise<{ rc: number; skippedBoot: boolean }> {
  const { flash } = ctx;
  if (src % SECTOR || dst % SECTOR) return { rc: 1, skippedBoot: false };
  let skippedBoot = false;
  for (let left = roundUp(size, SECTOR), s = src, d = dst; left > 0; left -= SECTOR, s += SECTOR, d += SECTOR) {
    if (s + SECTOR > FLASH_SIZE) return { rc: 3, skippedBoot };
    if (d + SECTOR > FLASH_SIZE) return { rc: 2, skippedBoot };
    const buf = flash.read(s, SECTOR);
    if (d === 0 && Buffer.from(flash.read(0, SECTOR)).equals(buf)) {
      skippedBoot = true; // eboot does not rewrite itself when nothing changed
      continue;
    }
    await flash.erase(d, SECTOR);
    await flash.program(d, buf);
  }
  return { rc: 0, skippedBoot };
}

/** load_app_from_flash_raw: 0 → jump to the entry; 1 header unreadable, 2 bad magic, 3 segment unreadable. */
async function loadApp(ctx: DeviceContext, at: number): Promise<number> {
  let pos = at + APP_START;
  if (pos + 8 > FLASH_SIZE) return 1;
  const h = ctx.flash.read(pos, 8);
  if (h[0] !== ESP_MAGIC) return 2;
  pos += 8;
  let loaded = 0;
  for (let i = 0; i < h[1]!; i++) {
    if (pos + 8 > FLASH_SIZE) return 3;
    const dv = new DataView(ctx.flash.read(pos, 8).buffer);
    const addr = dv.getUint32(0, true);
    const size = dv.getUint32(4, true);
    pos += 8;
    const load = addr < 0x40000000 || (addr >= 0x40100000 && addr < 0x40108000) || addr >= 0x60000000;
    if (load) {
      if (pos + size > FLASH_SIZE) return 3;
      loaded += size;
    }
    pos += size; // irom0 is executed in place from flash: skipped
  }
  await ctx.sleep(loaded / 4000);
  return 0;
}
