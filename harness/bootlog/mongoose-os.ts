// Mongoose OS. On the ESP8266 it boots through Cesanta's patched rBoot: slots 'rom0'/'rom1' from
// 'Booting rom N (0x…).', a first boot of an unconfirmed ROM ('First boot, attempt 0' +
// 'Boot is unconfirmed') is a trial, and the second unconfirmed attempt falls back inside the
// bootloader ('Boot failed, fallback to fw #N'): revert. On the ESP32 it boots through the ESP-IDF
// bootloader and the app names its slot ('Boot partition: app_1', ', first boot'). Either way the
// app may give up on a trial ('Update commit timeout expired', 'Reverting to slot N'): the next
// boot is then a revert. Version: the app banner printed next to 'Mongoose OS x.y.z (…)',
// e.g. 'switch1 2.0.1 (20200517-133521/…)' → 'switch1 2.0.1' (facts §C).
import type { Boot, BootLogParser } from './boot.ts';
import { looksLikeText, versionToken } from './lines.ts';
import { formatLines, messages } from './format.ts';
import { esp32RomClass, esp32RomFailure } from './esp-rom.ts';
import { IDF_BANNER } from './esp-idf.ts';
import { decideRboot, rbootClass, scanRboot, type AppHook, type RbootBoot } from './rboot.ts';
import { draft, finish, noteCrash, safely, score, segment, type LineClass, type Segment } from './segment.ts';

const MGOS = /^Mongoose OS (?:Firmware )?(\S+) \(/;
const BANNER = /^(\S+) (\S+) \([^)]*\)$/;

function classify(t: string): LineClass | null {
  const c = rbootClass(t) ?? esp32RomClass(t);
  if (c) return c;
  if (IDF_BANNER.test(t)) return { rank: 2, boundary: true };
  if (MGOS.test(t)) return { rank: 4, boundary: false };
  return null;
}

/**
 * The app's own lines, whichever bootloader ran. The app is up once its banner is known: at the
 * 'Mongoose OS' line on the ESP8266; on the ESP32 only once 'Boot partition:' has named the slot
 * (or a few lines later, for builds that do not print it).
 */
function appHook(texts: readonly string[], esp32: boolean, failedUpdate: WeakSet<RbootBoot>): AppHook {
  const mgosLine = new WeakMap<RbootBoot, number>();
  return (b, t, i) => {
    const msg = t; // the format layer took off 'esp_main.c:172   '
    const mg = MGOS.exec(msg);
    if (mg && !mgosLine.has(b)) mgosLine.set(b, i);
    const since = mgosLine.get(b);
    if (since !== undefined && (!esp32 || i >= since + 3)) b.appUp = true;
    if (mg && b.version === null) {
      // The app banner sits right before (or, on some ports, after) the Mongoose OS line.
      for (const j of [i - 1, i + 1, i - 2, i + 2]) {
        const m = BANNER.exec(texts[j] ?? '');
        if (m && m[1] !== 'Mongoose' && versionToken(m[2] ?? '')) {
          b.version = `${m[1]} ${m[2]}`;
          b.evidence.push(j);
          break;
        }
      }
      if (b.version === null && mg[1]) {
        b.version = `mongoose-os ${mg[1]}`; // MGOS_APP "mongoose-os" prints no separate app banner
        b.evidence.push(i);
      }
      if (/, first boot\b/.test(msg)) {
        b.unconfirmed = true;
        b.evidence.push(i);
      }
    }
    const part = /^Boot partition: ([\w.-]+)/.exec(msg);
    if (part && b.slot === null) {
      b.appUp = true;
      b.slot = part[1] ?? null;
      b.slotLine = i;
      b.evidence.push(i);
    }
    if (/Update commit timeout expired|Reverting to slot \d+|Config \d+ is bad, reverting/.test(msg)) {
      b.revertRequested = true;
      b.notes.push(`app reverts: ${msg}`);
      b.evidence.push(i);
    }
    // The updater gives up on a new image whose init failed on its first boot (facts §C,
    // mgos_upd_boot_finish): the boot that says so ran the uncommitted new image, a trial.
    if (/Update failed, reverting to ROM \d+/.test(msg)) {
      failedUpdate.add(b);
      b.evidence.push(i);
    }
    const arm = /Arming commit watchdog for (\d+) seconds/.exec(msg);
    if (arm) b.notes.push(`commit watchdog armed: ${arm[1]} s`);
    if (/Committed (?:slot|cfg) \d+/.test(msg)) b.notes.push('update committed');
    if (/updater|mgos_upd|\bOTA\b|\bUpdate\b/i.test(msg)) b.updateActivity = true;
  };
}

/**
 * App partitions from the bootloader's table rows ('2 app_0  OTA app  00 10 00010000 00180000
 * 00000001': Mongoose OS's IDF adds a flags column), even when the capture starts mid-table or
 * line noise precedes a row.
 */
const TABLE_ROW = /(?:^|\bboot: +)\d+ +(\S+) +.+? +00 +[0-9a-f]{2} +(?:0x)?([0-9a-f]{8}) +(?:0x)?[0-9a-f]{8}(?: +[0-9a-f]{8})?\s*$/i;
const LOADED = /Loaded app from partition at offset (0x[0-9a-f]+)/i;

function appPartitions(texts: readonly string[], tags: readonly (string | null)[]): Map<number, { label: string; line: number }[]> {
  const map = new Map<number, { label: string; line: number }[]>();
  texts.forEach((t, i) => {
    if (tags[i] !== 'boot' && !/\bboot: /.test(t)) return;
    const r = TABLE_ROW.exec(t);
    if (!r) return;
    const off = parseInt(r[2] ?? '', 16);
    const rows = map.get(off);
    if (rows) rows.push({ label: r[1] ?? '', line: i });
    else map.set(off, [{ label: r[1] ?? '', line: i }]);
  });
  return map;
}

/** The row that names an offset for a boot loading it at line `i`: the latest table before, else the first after. */
function partitionAt(parts: ReturnType<typeof appPartitions>, off: number, i: number): { label: string; line: number } | undefined {
  const rows = parts.get(off);
  return rows?.filter((r) => r.line < i).pop() ?? rows?.[0];
}

/** ESP32 flavour: ROM and ESP-IDF bootloader, then the app names its partition. */
function scanEsp32(texts: readonly string[], tags: readonly (string | null)[], seg: Segment, app: AppHook, parts: ReturnType<typeof appPartitions>): RbootBoot {
  const b: RbootBoot = {
    ...draft(seg), sawBootloader: false, bad: 0, temp: false, unconfirmed: false,
    fallback: false, revertRequested: false, updateActivity: false, slotLine: -1, requestedRom: null,
  };
  let inApp = false;
  for (let i = seg.start; i <= seg.end; i++) {
    const t = texts[i] ?? '';
    if (!t) continue;
    if (!inApp) {
      if (IDF_BANNER.test(t) || tags[i] === 'boot') b.sawBootloader = true;
      const romFail = esp32RomFailure(t);
      if (romFail && !b.sawBootloader) {
        b.failure = romFail;
        b.evidence.push(i);
      }
      if (/No bootable app partitions|load partition table error|Failed to verify partition table/.test(t)) {
        b.failure = 'bootloader found no bootable app';
        b.evidence.push(i);
      }
      const loaded = LOADED.exec(t);
      if (loaded) {
        inApp = true;
        const p = partitionAt(parts, parseInt(loaded[1] ?? '', 16), i);
        if (p) {
          // The app's own 'Boot partition:' line, if it comes, agrees or wins below.
          b.slot = p.label;
          b.slotLine = i;
          b.evidence.push(p.line, i);
        }
      }
      continue;
    }
    if (tags[i] === 'boot') continue;
    app(b, t, i);
    noteCrash(b, t, i);
  }
  return b;
}

const CONFIG_FIELD = /\b(current_rom|previous_rom|fw_updated|is_first_boot)\b\W+(\d+)\s*$/;

/**
 * An app that prints its rBoot config (current_rom, previous_rom, fw_updated, is_first_boot), once
 * per boot: each dump is a boot. Cesanta's rBoot sets fw_updated and is_first_boot for a new ROM's
 * unconfirmed first boot (trial); its fallback sets current to previous and clears fw_updated but
 * leaves is_first_boot (facts §C): revert. The ROM going back to what a trial replaced is one too.
 */
function configDumpBoots(texts: readonly string[], from: number): RbootBoot[] {
  const dumps: { fields: Map<string, number>; start: number; end: number }[] = [];
  for (let i = from; i < texts.length; i++) {
    const m = CONFIG_FIELD.exec(texts[i] ?? '');
    if (!m) continue;
    const last = dumps.at(-1);
    if (!last || last.fields.has(m[1] ?? '')) dumps.push({ fields: new Map(), start: i, end: i });
    const d = dumps.at(-1);
    if (!d) continue;
    d.fields.set(m[1] ?? '', Number(m[2]));
    d.end = i;
  }
  const boots: RbootBoot[] = [];
  let prev: { slot: string | null; event: string; previous: number | undefined } | null = null;
  for (const d of dumps) {
    const cur = d.fields.get('current_rom');
    if (cur === undefined) continue;
    const b = scanRboot(texts, { start: d.start, end: d.end, preamble: true }, () => undefined);
    const previous = d.fields.get('previous_rom');
    const updated = d.fields.get('fw_updated');
    const first = d.fields.get('is_first_boot');
    b.slot = `rom${cur}`;
    b.appUp = true;
    b.evidence.push(d.start);
    b.notes.push('rBoot config as the app printed it');
    if (updated === 1 && first === 1) b.event = 'trial';
    else if (first === 1 && updated === 0 && previous === cur) b.event = 'revert';
    else if (prev?.event === 'trial' && prev.slot !== b.slot && prev.previous === cur) b.event = 'revert';
    else if (updated === 0 && first === 0) b.event = prev === null || prev.slot === b.slot ? 'normal' : 'swap';
    else b.event = 'unknown';
    prev = { slot: b.slot, event: b.event, previous };
    boots.push(b);
  }
  return boots;
}

function parse(lines: readonly string[]): Boot[] {
  return safely(() => {
    const ls = formatLines(lines);
    const texts = messages(ls);
    const tags = ls.map((l) => l.tag);
    const failedUpdate = new WeakSet<RbootBoot>();
    const hook8266 = appHook(texts, false, failedUpdate);
    const hook32 = appHook(texts, true, failedUpdate);
    const boots: RbootBoot[] = [];
    const parts = appPartitions(texts, tags);
    for (const seg of segment(texts, classify)) {
      const esp32 = texts.slice(seg.start, seg.end + 1).some((t, k) => IDF_BANNER.test(t) || esp32RomClass(t)?.boundary === true || LOADED.test(t) || tags[seg.start + k] === 'boot');
      const b = esp32 ? scanEsp32(texts, tags, seg, hook32, parts) : scanRboot(texts, seg, hook8266, false);
      if (seg.preamble && !b.sawBootloader && !failedUpdate.has(b)) continue;
      boots.push(b);
    }
    // rBoot started a ROM and the chip reset before the Mongoose OS banner: the app never ran.
    boots.forEach((b, k) => {
      const spoke = texts.slice(b.slotLine + 1, b.end + 1).some((t) => /[A-Za-z]{3,}[ :_-]+[A-Za-z]{3,}/.test(t) && looksLikeText(t));
      if (k < boots.length - 1 && b.slot !== null && !b.appUp && !spoke && !b.failure && /^rom\d/.test(b.slot)) {
        b.failure = 'reset before the app printed its banner';
        b.evidence.push(b.slotLine);
      }
    });
    decideRboot(boots);
    for (const b of boots) {
      if (failedUpdate.has(b) && b.event !== 'brick') {
        b.event = 'trial';
        b.revertRequested = true;
        b.notes.push('the updater reverts the uncommitted image it booted');
      }
    }
    // Only the app's lines (a capture of a running device): it runs, from a slot it does not name.
    if (boots.length === 0) {
      const first = tags.findIndex((t) => t !== null && /\.(?:c|cpp|h)?$|^(?:esp|mgos|mg)_/.test(t));
      const dumped = first >= 0 ? configDumpBoots(texts, first) : [];
      if (dumped.length > 0) boots.push(...dumped);
      else if (first >= 0) {
        const b = scanRboot(texts, { start: first, end: texts.length - 1, preamble: true }, hook8266);
        b.event = b.revertRequested ? 'unknown' : 'normal';
        b.appUp = true;
        b.evidence.push(first);
        b.notes.push('only the app\'s lines: the slot is not named');
        boots.push(b);
      }
    }
    return finish(boots);
  });
}

const SIGNATURES: readonly [RegExp, number][] = [
  [/Boot failed, fallback to fw #\d+/, 0.95],
  [/^First boot, attempt \d+/, 0.9],
  [/(?:^|\s)Mongoose OS (?:Firmware )?\d/, 1], // names the OS outright: beats the bootloader it runs on
  [/^Booting rom \d+ \(0x[0-9a-f]+\)\./, 0.8],
  [/\bmgos_\w+/, 0.6],
];

export const mongooseOsParser: BootLogParser = {
  stack: 'mongoose-os',
  parse,
  detect: (lines) => score(messages(formatLines(lines)), SIGNATURES),
};
