// ESP-IDF: ROM → 2nd stage bootloader → app. The slot is the partition label that holds the
// offset in 'Loaded app from partition at offset 0x…', looked up in a partition table printed in
// this log (or in an app's 'Writing to <label> partition at offset 0x…'); with neither, the slot is
// null: standard offsets are never assumed. Rollback is silent at INFO level, so trial and revert
// are inferred from how that offset moves between boots (facts §B).
import type { Boot, BootLogParser } from './boot.ts';
import { keywordVersion, looksLikeText } from './lines.ts';
import { formatLines, messages, type ConsoleLine } from './format.ts';
import { esp32ResetReason, esp32RomClass, esp32RomFailure } from './esp-rom.ts';
import { draft, finish, noteCrash, safely, score, segment, type Draft, type LineClass } from './segment.ts';

/** An abridged log whose 'I (27) ' prefixes were stripped still names the tag: 'boot: Loaded app …'. */
const BARE_TAG = /^((?:boot|esp_image|cpu_start|app_init|heap_init|spi_flash|main_task|esp_ota_ops|esp_https_ota|boot_comm|efuse_init)(?:\.[\w-]+)?): ?/;

/** The ESP-IDF tag and message of a line, with or without its level prefix. */
export function idfLine(l: ConsoleLine | undefined): { tag: string; msg: string } {
  if (!l) return { tag: '', msg: '' };
  if (l.tag !== null) return { tag: l.tag, msg: l.text };
  const m = BARE_TAG.exec(l.text);
  return m ? { tag: m[1] ?? '', msg: l.text.slice(m[0].length) } : { tag: '', msg: l.text };
}
/** Tags of the app's startup code, before the version is printed. */
const STARTUP_TAG = /^(?:cpu_start|app_init|main_task|heap_init|spi_flash|esp_psram|octal_psram|quad_psram|efuse_init|sleep|sleep_gpio|pm|clk|rtc|cache|system_api|esp_core_dump_flash|coexist|intr_alloc)$/;
const BOOTLOADER_TAG = /^(?:boot(?:\.[\w-]+)?|esp_image|flash_encrypt|secure_boot[\w-]*|qio_mode|bootloader_[\w-]+|boot_comm|boot_custom|efuse|spi_flash_boot|flash_parts)$/;
export const IDF_BANNER = /\b2nd stage bootloader\b|bootloader plus version/;
const LOADED = /Loaded app from partition at offset (0x[0-9a-f]+)/i;
const TABLE_ROW = /^\s*\d+\s+(\S+)\s+.+?\s+([0-9a-f]{2})\s+([0-9a-f]{2})\s+(?:0x)?([0-9a-f]{8})\s+(?:0x)?([0-9a-f]{8})\s*$/i;
const WRITING_LABEL = /Writing to <([^>]+)> partition at offset (0x[0-9a-f]+)/i;
const WRITING_SUBTYPE = /Writing to partition subtype \d+ at offset (0x[0-9a-f]+)/i;
const BL_FAILURE =
  /No bootable app partitions|No bootable app partition in the partition table|load partition table error|Failed to verify partition table|^user code done$/i;
/** Words, not line noise: what makes text after a reset an application's output. */
const APP_WORDS = /[A-Za-z]{3,}[ :_-]+[A-Za-z]{3,}/;
/** idf.py monitor's own decoding of an address it saw: not the device's output. */
const MONITOR_DECODE = /^0x[0-9a-f]{8}: /i;
/** Lines of forked or extended bootloaders without an ESP-IDF tag. */
const BL_EXTRA = /bootloader plus version|^---------Selected AppImage/;
/** An app naming the partition it runs from (esp_ota_get_running_partition()'s label). */
const RUNNING_PARTITION = /\brunning partition\s*(?:[:=]\s*|\s+)(factory|test|[A-Za-z_][\w-]*\d)\b/i;
/** An image on trial: PENDING_VERIFY by name, or its esp_ota_img_states_t value (1). */
const PENDING_VERIFY = /PENDING_VERIFY|pending[ _]verify|\bota[ _]state[ :=]*1\b/i;
const CANDIDATE_REJECTED = /(?:OTA app partition slot \d+|Factory app partition) is not bootable|has invalid magic byte|Checksum failed|Image hash failed|image is corrupt/i;

/**
 * What one line says, whatever the lines around it: a growing log is parsed again at every line
 * (follow.ts), and matching each line against every pattern again was most of a parse. Kept by
 * the formatted line (format.ts shares one per text), so a line is matched once.
 */
interface Facts {
  tag: string;
  msg: string;
  romClass: LineClass | null;
  /** segment()'s class of the line. */
  lineClass: LineClass | null;
  reset: string | null;
  romFailure: string | null;
  entry: boolean;
  bootloaderSays: boolean;
  blFailure: boolean;
  otaInvalid: boolean;
  rejected: boolean;
  aborted: boolean;
  vendorApplied: boolean;
  defaultFactory: boolean;
  /** The offset of 'Loaded app from partition at offset 0x…'. */
  loaded: number | null;
  startupTag: boolean;
  bootloaderTag: boolean;
  /** Reads as an app's words (the silent-bootloader check). */
  appText: boolean;
  appVersion: string | null;
  /** keywordVersion(msg), worked out when first asked. */
  keyword: string | null | undefined;
  reverted: boolean;
  write: number | null;
  otaActivity: boolean;
  rollbackRequested: boolean;
  runningPartition: string | null;
  pending: boolean;
  confirmed: boolean;
  tableStart: boolean;
  tableEnd: boolean;
  tableRow: RegExpExecArray | null;
  writingLabel: RegExpExecArray | null;
}
const factsOf = new WeakMap<ConsoleLine, Facts>();

function facts(l: ConsoleLine): Facts {
  let f = factsOf.get(l);
  if (f) return f;
  const t = l.text;
  const { tag, msg } = idfLine(l);
  const romClass = esp32RomClass(t);
  const loaded = LOADED.exec(t);
  const bootloaderTag = BOOTLOADER_TAG.test(tag);
  const w = WRITING_LABEL.exec(t) ?? WRITING_SUBTYPE.exec(t);
  f = {
    tag,
    msg,
    romClass,
    lineClass: romClass ?? (IDF_BANNER.test(t) ? { rank: 2, boundary: true } : loaded ? { rank: 3, boundary: false } : tag ? (bootloaderTag ? { rank: 2.5, boundary: false } : { rank: 4, boundary: false }) : null),
    reset: esp32ResetReason(t),
    romFailure: esp32RomFailure(t),
    entry: /^entry 0x/.test(t),
    bootloaderSays: IDF_BANNER.test(t) || bootloaderTag || BL_EXTRA.test(t),
    blFailure: BL_FAILURE.test(t),
    otaInvalid: /ota data partition invalid/i.test(t),
    rejected: CANDIDATE_REJECTED.test(t),
    aborted: /marking as ABORTED/i.test(t),
    vendorApplied: /OTA success, boot from slot/.test(t),
    defaultFactory: /Defaulting to factory image/.test(t),
    loaded: loaded ? parseInt(loaded[1] ?? '', 16) : null,
    startupTag: STARTUP_TAG.test(tag),
    bootloaderTag,
    appText: (looksLikeText(t) || /[A-Za-z]{3,} [A-Za-z]{3,}/.test(t)) && /[A-Za-z]{3}/.test(t) && !MONITOR_DECODE.test(t),
    appVersion: /^App version:\s*(\S+)/.exec(msg)?.[1] ?? null,
    keyword: undefined,
    reverted: /rollback detected|Rolled back from partition/i.test(t),
    write: w ? parseInt(w[w.length - 1] ?? '', 16) : null,
    // A new image being written, not merely an app that logs under an 'ota' tag.
    otaActivity: /Starting OTA|esp_ota_begin|esp_ota_end|OTA (?:Succeed|success|complete|done)|Writing to (?:<|partition)/i.test(t),
    rollbackRequested: /Rollback to previously worked partition/.test(t),
    runningPartition: RUNNING_PARTITION.exec(msg)?.[1] ?? null,
    pending: PENDING_VERIFY.test(t),
    confirmed: /marked as valid|mark(?:ed)?[ _]app[ _]valid|cancel[ _]rollback/i.test(t),
    tableStart: /Partition Table:/.test(msg),
    tableEnd: /End of partition table/.test(msg),
    tableRow: TABLE_ROW.exec(msg),
    writingLabel: WRITING_LABEL.exec(msg),
  };
  factsOf.set(l, f);
  return f;
}

function keyword(f: Facts): string | null {
  if (f.keyword === undefined) f.keyword = keywordVersion(f.msg);
  return f.keyword;
}

function classifier(ls: readonly ConsoleLine[]) {
  return (_t: string, i: number): LineClass | null => facts(ls[i]!).lineClass;
}

interface Named {
  label: string;
  /** The line that names the offset. */
  line: number;
}

/**
 * Offset → its names in the log, in order, from every partition table and 'Writing to <label>'
 * line. A boot reads the ones printed up to its end: a later table does not rename it.
 */
function labelMap(ls: readonly ConsoleLine[]): Map<number, Named[]> {
  const map = new Map<number, Named[]>();
  const learn = (off: number, label: string, line: number): void => {
    const names = map.get(off);
    if (names) names.push({ label, line });
    else map.set(off, [{ label, line }]);
  };
  let inTable = false;
  for (let i = 0; i < ls.length; i++) {
    const f = facts(ls[i]!);
    if (f.tableStart) inTable = true;
    else if (f.tableEnd) inTable = false;
    else if (inTable) {
      const r = f.tableRow;
      if (r && r[2] === '00') learn(parseInt(r[4] ?? '', 16), r[1] ?? '', i);
    }
    const w = f.writingLabel;
    if (w) learn(parseInt(w[2] ?? '', 16), w[1] ?? '', i);
  }
  return map;
}

interface IdfBoot extends Draft {
  offset: number | null;
  writes: Set<number>;
  otaActivity: boolean;
  rollbackRequested: boolean;
  confirmed: boolean;
  trialMarker: boolean;
  aborted: boolean;
  rejected: number | null;
  sawBootloader: boolean;
  fallbackScan: boolean;
  vendorApplied: boolean;
  /** 'Loaded app' came after other bootloader lines (not the capture's first line). */
  selectionSeen: boolean;
  /** The app started without a 'Loaded app' line (bootloader silent at INFO). */
  silentLoad: boolean;
  appVersionLine: boolean;
  appSaysReverted: boolean;
  /** The partition the app says it runs from ('Running partition: ota_0', 'running partition=ota_1'). */
  appSlot: string | null;
  /** Lines before any ROM or bootloader line (a previous boot's app output). */
  stray: number[];
}

function scan(ls: readonly ConsoleLine[], start: number, end: number, appOnly = false): IdfBoot {
  const b: IdfBoot = {
    ...draft({ start, end, preamble: false }),
    offset: null, writes: new Set(), otaActivity: false, rollbackRequested: false,
    confirmed: false, trialMarker: false, aborted: false, rejected: null, sawBootloader: false,
    fallbackScan: false, vendorApplied: false, selectionSeen: false, silentLoad: false, appVersionLine: false,
    appSaysReverted: false, appSlot: null, stray: [],
  };
  let entry = false; // the ROM handed over to the second stage ('entry 0x…')
  let inApp = appOnly;
  for (let i = start; i <= end; i++) {
    const l = ls[i];
    const t = l?.text ?? '';
    if (!t) continue;
    const f = facts(l!);
    const { tag, msg } = f;
    if (!inApp) {
      // ROM and bootloader phase.
      if (f.reset) b.notes.push(`reset: ${f.reset}`);
      if (f.romFailure && !b.sawBootloader && !b.failure) {
        b.failure = f.romFailure;
        b.evidence.push(i);
      }
      if (f.entry) entry = true;
      const bootloaderSays = f.bootloaderSays;
      if (bootloaderSays) b.sawBootloader = true;
      if (f.blFailure) {
        b.failure = `bootloader found no bootable app: ${msg}`;
        b.evidence.push(i);
      }
      if (f.otaInvalid) b.fallbackScan = true;
      if (f.rejected) {
        b.rejected = i;
        b.notes.push(`bootloader rejected an image: ${msg}`);
      }
      if (f.aborted) {
        b.aborted = true;
        b.evidence.push(i);
      }
      if (f.vendorApplied) {
        b.vendorApplied = true; // bootloader-plus unpacked a staged update
        b.evidence.push(i);
      }
      if (f.defaultFactory) b.notes.push('bootloader defaulted to the factory image (no valid OTA entry)');
      if (f.loaded !== null) {
        b.offset = f.loaded;
        b.evidence.push(i);
        b.selectionSeen = b.selectionSeen || i > start;
        inApp = true;
        continue;
      }
      // A silent (or warning-only) bootloader: the app's first lines follow the ROM's or the bootloader's.
      const appSays = (f.startupTag || (tag !== '' && !bootloaderSays)) || (!tag && !bootloaderSays && !f.romClass && (entry || b.sawBootloader) && f.appText);
      if (!appSays || b.failure) {
        if (!bootloaderSays && !f.romClass && b.failure === null && !entry && !b.sawBootloader) b.stray.push(i);
        continue;
      }
      inApp = true;
      b.silentLoad = true;
      b.evidence.push(i);
    }
    if (b.offset === null && f.loaded !== null) {
      b.offset = f.loaded; // a 'Loaded app' after stray lines we took for the app
      b.silentLoad = false;
      b.selectionSeen = true;
      b.evidence.push(i);
      continue;
    }
    // Application phase.
    // Startup code (app_init prints the version) logs before app_main; the app is up once its own
    // lines show. Not earlier: an app reports its OTA state (PENDING_VERIFY) first thing in
    // app_main, and a verdict taken at the version line would miss it on a line-by-line console.
    if (!(f.bootloaderTag || f.startupTag)) b.appUp = true;
    if (f.appVersion !== null && !b.appVersionLine) {
      b.version = f.appVersion;
      b.appVersionLine = true;
      b.evidence.push(i);
    } else if (b.version === null && !f.bootloaderTag) {
      const v = keyword(f);
      if (v) {
        b.version = v;
        b.evidence.push(i);
      }
    }
    if (f.reverted) {
      b.appSaysReverted = true;
      b.evidence.push(i);
    }
    if (f.write !== null) b.writes.add(f.write);
    if (f.otaActivity) b.otaActivity = true;
    if (f.rollbackRequested) {
      b.rollbackRequested = true;
      b.evidence.push(i);
    }
    if (f.runningPartition !== null && b.appSlot === null) {
      b.appSlot = f.runningPartition; // the app names its partition (what a silent bootloader does not)
      b.evidence.push(i);
    }
    if (f.pending) {
      b.trialMarker = true;
      b.evidence.push(i);
    }
    if (f.confirmed) b.confirmed = true;
    noteCrash(b, t, i);
  }
  return b;
}

/**
 * An offset's name for a boot ending at line `end`: from the lines before it, else (a capture that
 * starts after the table) from the whole log; null when they give it two names: trust neither.
 */
function nameOf(names: Named[] | undefined, end: number): { label: string | null; line: number } | undefined {
  if (!names || names.length === 0) return undefined;
  const before = names.filter((n) => n.line < end);
  const seen = before.length > 0 ? before : names;
  const label = seen.every((n) => n.label === seen[0]!.label) ? seen[0]!.label : null;
  return { label, line: before.length > 0 ? before[before.length - 1]!.line : names[0]!.line };
}

function decide(boots: IdfBoot[], labels: Map<number, Named[]>): void {
  let prev: IdfBoot | null = null;
  boots.forEach((b, k) => {
    if (b.offset === null) {
      decideUnloaded(b, prev, k < boots.length - 1);
      prev = b;
      return;
    }
    const o = b.offset;
    const named = nameOf(labels.get(o), b.end);
    b.slot = named?.label ?? b.appSlot;
    b.failure = b.failure?.startsWith('app crashed') ? b.failure : null; // it found one after all
    if (!named) b.notes.push(`offset 0x${o.toString(16)} not in a printed partition table`);
    else if (named.label === null) b.notes.push(`offset 0x${o.toString(16)} has two names in this log`);
    else b.evidence.push(named.line);
    const moved = prev?.offset != null && prev.offset !== o;
    if (b.rejected !== null) {
      b.event = 'rollback';
      b.evidence.push(b.rejected);
    } else if (b.vendorApplied) {
      b.event = 'swap';
    } else if (!prev && (b.fallbackScan || !b.selectionSeen)) {
      b.event = b.trialMarker ? 'trial' : 'unknown'; // the capture starts after the bootloader chose
      b.notes.push(b.fallbackScan ? 'otadata unreadable: the bootloader tried every partition' : 'capture starts after the bootloader chose the image');
    } else if (!prev || !moved) {
      b.event = b.trialMarker ? 'trial' : 'normal';
    } else if (prev.rollbackRequested) {
      b.event = 'rollback'; // the app rejected the new image (esp_ota_mark_app_invalid_rollback_and_reboot)
    } else if (b.aborted) {
      b.event = 'revert';
    } else if (prev.writes.has(o)) {
      b.event = b.trialMarker ? 'trial' : 'swap';
    } else if ((prev.event === 'trial' || prev.event === 'swap') && !prev.confirmed && !prev.otaActivity) {
      b.event = 'revert';
      b.notes.push('offset went back after an unconfirmed new image (rollback is silent at INFO)');
    } else {
      b.event = b.trialMarker ? 'trial' : 'swap';
      b.notes.push('slot changed without a logged update');
    }
    prev = b;
  });
}

/** No 'Loaded app' line: a silent bootloader, an app-only capture, a bootloader that gave up, or a cut. */
function decideUnloaded(b: IdfBoot, prev: IdfBoot | null, followed: boolean): void {
  if (b.failure && !b.failure.startsWith('app crashed')) {
    b.slot = 'none';
    b.event = 'brick';
  } else if (b.silentLoad) {
    b.slot = b.appSlot;
    if (b.rejected !== null) b.event = 'rollback';
    else if (b.aborted || b.appSaysReverted || prev?.rollbackRequested) b.event = b.appSaysReverted || b.aborted ? 'revert' : 'rollback';
    else if (b.trialMarker) b.event = 'trial';
    else if (prev && (prev.otaActivity || prev.writes.size > 0)) b.event = 'unknown'; // a new image may run now
    else if (prev && prev.version !== b.version) b.event = 'unknown'; // another image runs: swap, trial or revert
    else b.event = prev?.silentLoad === false && prev.offset === null ? 'unknown' : 'normal';
    if (b.event !== 'normal' && b.event !== 'unknown') b.evidence.push(b.start);
  } else if (b.sawBootloader || !followed) {
    b.event = 'unknown';
  } else {
    // The ROM started the second stage and the chip reset before anything spoke: nothing boots.
    b.failure = 'reset before the bootloader or the app printed anything';
    b.slot = 'none';
    b.event = 'brick';
    b.evidence.push(b.start);
  }
}

/** App lines with no ROM or bootloader line before them: one app-only boot per version announcement. */
function appOnly(ls: readonly ConsoleLine[], start: number, end: number): IdfBoot[] {
  const out: IdfBoot[] = [];
  let from = start;
  for (let i = start; i <= end + 1; i++) {
    const announces = i <= end && keyword(facts(ls[i]!)) !== null;
    if (i === end + 1 || (announces && i > from && out.length >= 0 && seenVersion(ls, from, i - 1))) {
      const b = scan(ls, from, i - 1, true);
      b.silentLoad = true;
      b.appUp = true;
      const first = ls.findIndex((l, j) => j >= from && j < i && APP_WORDS.test(l.text));
      b.evidence.push(first >= 0 ? first : from);
      out.push(b);
      from = i;
    }
  }
  return out;
}

function seenVersion(ls: readonly ConsoleLine[], from: number, to: number): boolean {
  for (let j = from; j <= to; j++) if (keyword(facts(ls[j]!)) !== null) return true;
  return false;
}

function parse(lines: readonly string[]): Boot[] {
  return safely(() => {
    const ls = formatLines(lines);
    const labels = labelMap(ls);
    const boots: IdfBoot[] = [];
    const segs = segment(messages(ls), classifier(ls));
    for (const seg of segs) {
      const b = scan(ls, seg.start, seg.end);
      // A capture that starts mid-boot with no bootloader line: app-only boots, if the app spoke.
      // Before a reset, a capture that joined a running app (its log clock already past startup)
      // shows the tail of a boot, not a boot.
      if (seg.preamble && !b.sawBootloader) {
        const ticks = ls.slice(seg.start, seg.end + 1).find((l) => l.ticks !== null)?.ticks ?? null;
        const midRun = segs.length > 1 && ticks !== null && ticks >= 1000;
        if (!midRun && ls.slice(seg.start, seg.end + 1).some((l) => APP_WORDS.test(l.text) && looksLikeText(l.text) && !esp32RomClass(l.text))) boots.push(...appOnly(ls, seg.start, seg.end));
        continue;
      }
      boots.push(b);
    }
    decide(boots, labels);
    for (const b of boots) {
      // The app's word fills a slot the bootloader's lines did not name.
      if (b.appSlot === null || b.slot === 'none') continue;
      if (b.slot === null) b.slot = b.appSlot;
      else if (b.slot !== b.appSlot) b.notes.push(`the app says it runs ${b.appSlot}, the bootloader's lines say ${b.slot}`);
    }
    return finish(boots);
  });
}

const SIGNATURES: readonly [RegExp, number][] = [
  [IDF_BANNER, 0.9],
  [LOADED, 0.9],
  [/^(?:boot: )?Partition Table:/, 0.8],
  [/^(?:app_init: |cpu_start: )?App version:/, 0.6],
  [/^ESP-ROM:/, 0.3],
  [/^rst:0x[0-9a-f]+ \(/, 0.3],
  [/^flash read err\b|^invalid header: 0x/, 0.4],
];

export const espIdfParser: BootLogParser = {
  stack: 'esp-idf',
  parse,
  detect: (lines) => score(messages(formatLines(lines)), SIGNATURES),
};
