// MCUboot (Zephyr/NCS, TF-M BL2, NuttX, NXP and Alif forks, the Espressif port). In swap and
// overwrite modes the image always runs from the primary slot; direct-xip and ram-load builds say
// which slot they run ('Booting image from the secondary slot', 'copied from the secondary slot …
// to SRAM'). The event comes from the bootloader's decision lines: 'Swap type: test|perm|revert|none',
// a resumed swap that logs only 'Starting swap using … algorithm.', an overwrite copy (permanent),
// 'Image in the secondary slot is not valid!', 'Unable to find bootable image'. The same
// 'Swap type:' strings printed by a running app (module mcuboot_util, an mcumgr query) are not
// boots (facts §A). A decision without a handover still names what runs (the capture was cut);
// a boot with neither stays unknown.
import type { Boot, BootEvent, BootLogParser } from './boot.ts';
import { keywordVersion } from './lines.ts';
import { formatLines, messages, type ConsoleLine } from './format.ts';
import { esp32RomClass, esp32RomFailure } from './esp-rom.ts';
import { draft, finish, noteCrash, safely, score, segment, type Draft, type LineClass } from './segment.ts';

/** The format layer has taken off levels and stamps; a module tag (Zephyr full log) says who printed it. */
function split(l: ConsoleLine | undefined): { module: string | null; msg: string } {
  // mbed-trace names MCUboot's group 'MCUb' and the Mbed bootloader app around it 'BL'.
  const tag = l?.tag ?? null;
  return { module: tag !== null && /^(?:MCUb|BL)$/.test(tag) ? 'mcuboot' : tag, msg: l?.text ?? '' };
}

const BOOTING_MCUBOOT = /^\*\*\* Booting MCUboot\b|^hello sbl\.$/; // NXP's SBL fork greets instead
const BOOTING_ANY = /^\*{3,} Booting /;
const APP_START = /^NuttShell \(NSH\)|^\*{3,} Booting Zephyr OS/;
const STARTING = /^Starting bootloader\b|^Bootloader Version \d|^Starting MCUboot\b|^MCUBoot Bootloader Started/i;
const SWAP_TYPE = /^(?:Image index: (\d+), )?Swap type: (\w+)/;
const STATE = /^(?:Primary image|Secondary image|Scratch|Image \d+): (?:version=\S+, )?magic=|^Boot source: /;
const OVERWRITE = /^Image upgrade secondary slot -> primary slot|^Copying the secondary slot to the primary slot/;
const FAILURE = /^Unable to find bootable image|^Load header magic verification failed|^No slot to load for image/;
const DECISION =
  /^Starting swap using \S+ algorithm|^Image in the \w+ slot is not valid|^Bad image magic|^Cannot upgrade|^Cleared image \d+ primary slot trailer|^Secondary header magic detected|^Erasing the primary slot|^Image \d+ RAM loading/;
const DIRECT = /^Booting image from the (primary|secondary) slot|^Image has been copied from the (primary|secondary) slot in flash to SRAM/;
const HANDOFF =
  /^Bootloader chainload address offset|^Jumping to the (?:first )?image(?: slot)?|^Loading image \d+ - slot (\d+)|^Image \d+ loaded from the (\w+) slot|^Starting Main Application|^Loading image, version|^Booting firmware image at|^Starting User Application/;
const IMAGE_VERSION = /^Image version:? v?(\d+(?:\.\d+){1,3}\S*)/;
const VENDOR_VERSION = /^Loading image, version (\d+(?:\.\d+)+)|^Image \d+: version=(\d+(?:\.\d+)+)/;
/** An app line that talks about update state: its 'Swap type' is a query, not this boot's decision. */
const APP_UPDATE_TALK = /Swap type|swap_type|img_mgmt|Requested update/;

/** A bootloader line, unless a running app printed it under its own module. */
function bootloaderLine(l: ConsoleLine | undefined): boolean {
  const { module, msg } = split(l);
  if (module && module !== 'mcuboot') return false;
  return [STARTING, SWAP_TYPE, STATE, DECISION, HANDOFF, IMAGE_VERSION, OVERWRITE, FAILURE, DIRECT].some((re) => re.test(msg));
}

/** NCS prints '*** Booting … ***' for the bootloader and for the app: the lines after it tell which. */
function bannerOpensBootloader(i: number, ls: readonly ConsoleLine[]): boolean {
  for (let j = i + 1; j < ls.length && j < i + 8; j++) {
    const t = ls[j]?.text;
    if (!t || /^\*\*\* Using /.test(t)) continue; // NCS 2.6+: '*** Using Zephyr OS …' follows either banner
    const { module, msg } = split(ls[j]);
    return (!module || module === 'mcuboot') && (STARTING.test(msg) || STATE.test(msg));
  }
  return false;
}

function classifier(ls: readonly ConsoleLine[]) {
  return (t: string, i: number): LineClass | null => {
    const rom = esp32RomClass(t);
    if (rom) return rom;
    if (BOOTING_MCUBOOT.test(t)) return { rank: 2.8, boundary: true };
    if (BOOTING_ANY.test(t)) return bannerOpensBootloader(i, ls) ? { rank: 2.8, boundary: true } : { rank: 4, boundary: false };
    const { module, msg } = split(ls[i]);
    if (module && module !== 'mcuboot') return { rank: 4, boundary: false };
    if (STARTING.test(msg)) return { rank: 3, boundary: true };
    if (HANDOFF.test(msg)) return { rank: 3.5, boundary: false };
    if (bootloaderLine(ls[i])) return { rank: 3.2, boundary: false };
    return null;
  };
}

// Several images (multi-image builds) may each log a swap type: the most consequential wins.
const SWAP_EVENTS: Record<string, BootEvent> = { revert: 'revert', test: 'trial', perm: 'swap', fail: 'rollback', panic: 'brick', none: 'normal' };
const SWAP_ORDER = ['none', 'perm', 'test', 'fail', 'revert', 'panic'];

interface Scan extends Draft {
  sawBootloader: boolean;
  /** Bootloader lines a running app cannot print: make a preamble a boot. */
  sawBootloaderOnly: boolean;
  /** The app asked for an update on the next boot ('Requested update for next boot'). */
  requested: boolean;
  /** direct-xip / ram-load: the slot the bootloader chose. */
  direct: string | null;
  decided: boolean;
  appTalksUpdate: boolean;
}

function scan(ls: readonly ConsoleLine[], start: number, end: number): Scan {
  const d: Scan = {
    ...draft({ start, end, preamble: false }),
    sawBootloader: false, sawBootloaderOnly: false, requested: false, direct: null, decided: false, appTalksUpdate: false,
  };
  let phase: 'pre' | 'bl' | 'handoff' | 'app' = 'pre';
  let swapType: string | null = null;
  const at: Record<'swap' | 'started' | 'rejected' | 'overwrite', number> = { swap: -1, started: -1, rejected: -1, overwrite: -1 };
  let blVersion: string | null = null;
  let appVersion: string | null = null;
  let slot: string | null = null;
  let handoff = false;
  const slotVersions: string[] = [];
  for (let i = start; i <= end; i++) {
    const t = ls[i]?.text ?? '';
    if (!t) continue;
    const { module, msg } = split(ls[i]);
    if (phase === 'pre' || phase === 'bl') {
      const romFail = esp32RomFailure(t);
      if (romFail && phase === 'pre') {
        d.failure = romFail;
        d.evidence.push(i);
      }
      if (BOOTING_MCUBOOT.test(t) || (BOOTING_ANY.test(t) && phase === 'pre' && bannerOpensBootloader(i, ls))) {
        phase = 'bl';
        d.evidence.push(i);
        continue;
      }
      if (phase === 'bl' && (BOOTING_ANY.test(t) || APP_START.test(t))) phase = 'app'; // handoff was silent
      else if (bootloaderLine(ls[i])) {
        phase = 'bl';
        d.sawBootloader = true;
        if (!SWAP_TYPE.test(msg)) d.sawBootloaderOnly = true;
        const sw = SWAP_TYPE.exec(msg);
        if (sw) {
          const type = (sw[2] ?? '').toLowerCase();
          if (swapType === null || SWAP_ORDER.indexOf(type) > SWAP_ORDER.indexOf(swapType)) {
            swapType = type;
            at.swap = i;
          }
        }
        if (/^Starting swap using/.test(msg)) at.started = i;
        if (/^Image in the secondary slot is not valid|^Cannot upgrade/.test(msg)) at.rejected = i;
        if (OVERWRITE.test(msg)) at.overwrite = i;
        if (FAILURE.test(msg)) {
          d.failure = msg;
          d.evidence.push(i);
        }
        if (/^Bad image magic|^Cleared image|^Secondary header magic|^Image in the primary slot is not valid/.test(msg)) d.notes.push(msg);
        const dx = DIRECT.exec(msg);
        if (dx) {
          d.direct = dx[1] ?? dx[2] ?? null;
          d.evidence.push(i);
        }
        if (/^Image \d+ RAM loading/.test(msg)) d.direct ??= 'ram';
        const vv = VENDOR_VERSION.exec(msg);
        if (vv) slotVersions.push(vv[1] ?? vv[2] ?? '');
        if (vv?.[1]) blVersion = vv[1];
        const iv = IMAGE_VERSION.exec(msg);
        if (iv) {
          blVersion = iv[1] ?? null;
          d.evidence.push(i);
        }
        const h = HANDOFF.exec(msg);
        if (h) {
          handoff = true;
          if (h[1] !== undefined || h[2] !== undefined) slot = (h[1] ?? (h[2] === 'secondary' ? '1' : '0')) === '1' ? 'secondary' : 'primary';
          d.evidence.push(i);
          phase = /^Jumping|^Starting Main/.test(msg) ? 'app' : 'handoff';
        }
        continue;
      } else {
        if (phase === 'pre' && APP_UPDATE_TALK.test(t)) d.appTalksUpdate = true;
        if (phase === 'pre' && /^Requested update for next boot/.test(t)) d.requested = true;
        continue;
      }
    } else if (phase === 'handoff') {
      const iv = IMAGE_VERSION.exec(msg);
      if (iv) {
        blVersion = iv[1] ?? null;
        d.evidence.push(i);
        continue;
      }
      // Infineon's port keeps logging while it hands over.
      if (/^Jumping to|^Reset_Handler address|^Start slot Address|^MCUBoot Bootloader finished|^Deinitializing hardware/.test(msg)) {
        d.evidence.push(i);
        continue;
      }
      if (FAILURE.test(msg) && (!module || module === 'mcuboot')) {
        d.failure = msg; // the port's loader refused the image it was handed
        d.evidence.push(i);
        break;
      }
      phase = 'app';
    }
    // Application phase: anything printed here is the app's, even 'Swap type:' lines. The
    // kernel's banner is not yet the app: its version line follows (the harness settles on appUp).
    if (!/^\*{3,} (?:Booting|Using) /.test(t)) d.appUp = true;
    if (APP_UPDATE_TALK.test(t)) d.appTalksUpdate = true;
    if (/^Requested update for next boot/.test(t)) d.requested = true;
    if (appVersion === null && module !== 'mcuboot') {
      const v = IMAGE_VERSION.exec(msg)?.[1] ?? keywordVersion(msg);
      if (v) {
        appVersion = v;
        d.evidence.push(i);
      }
    }
    noteCrash(d, t, i);
  }
  for (const k of ['swap', 'started', 'rejected', 'overwrite'] as const) if (at[k] >= 0) d.evidence.push(at[k]);
  d.version = appVersion ?? blVersion;
  if (d.failure && !d.failure.startsWith('app crashed')) {
    d.slot = 'none';
    d.event = 'brick';
    d.version = null;
    return d;
  }
  // ram-load: only 'Image N loaded from the X slot' names the source slot.
  if (d.direct && d.direct !== 'ram') slot = d.direct;
  // direct-xip / ram-load name the slot's version; the chosen one runs.
  if (d.direct === 'secondary' && slotVersions.length >= 2 && !appVersion) d.version = slotVersions[1] ?? d.version;
  else if (d.direct === 'primary' && slotVersions.length >= 1 && !appVersion) d.version = slotVersions[0] ?? d.version;
  d.decided = at.rejected >= 0 || swapType !== null || at.started >= 0 || at.overwrite >= 0;
  if (slot === null && d.direct === null && (d.decided || handoff || d.appUp)) slot = 'primary';
  d.slot = slot;
  if (at.rejected >= 0) d.event = 'rollback';
  else if (at.overwrite >= 0) d.event = 'swap'; // overwrite-only: a copy cannot be undone
  else if (swapType !== null) d.event = SWAP_EVENTS[swapType] ?? 'unknown';
  else if (at.started >= 0) d.event = 'swap-resumed';
  else if (d.direct === 'secondary') d.event = 'swap';
  else if (handoff || (d.appUp && d.sawBootloader)) d.event = 'normal';
  if (d.slot === null && !d.appUp && !handoff) d.notes.push('no handover to an image seen');
  return d;
}

/** No bootloader line at all: the app ran from the primary slot; what the bootloader did is unknown. */
function appOnly(ls: readonly ConsoleLine[], prev: Scan | undefined): Scan | null {
  const b = scan(ls, 0, ls.length - 1);
  const banner = ls.some((l) => BOOTING_ANY.test(l.text) || APP_START.test(l.text));
  const talk = ls.some((l) => APP_UPDATE_TALK.test(l.text));
  if (!b.appUp && !banner && !talk) return null;
  b.slot = 'primary';
  b.event = banner && !talk && !prev?.requested ? 'normal' : 'unknown';
  b.evidence.push(ls.findIndex((l) => l.text !== ''));
  b.notes.push('no bootloader lines: the app runs from the primary slot');
  return b;
}

function parse(lines: readonly string[]): Boot[] {
  return safely(() => {
    const ls = formatLines(lines);
    const boots: Scan[] = [];
    let pending = false;
    for (const seg of segment(messages(ls), classifier(ls))) {
      const b = scan(ls, seg.start, seg.end);
      // App output before the first reset (even 'Swap type:' queries) is not a boot.
      if (seg.preamble && !b.sawBootloaderOnly) {
        pending ||= b.requested;
        continue;
      }
      // The app asked for a test swap before this reset, and the bootloader said nothing more.
      if ((pending || boots.at(-1)?.requested) && !b.decided && !b.failure && b.appUp) b.event = 'trial';
      pending = false;
      boots.push(b);
    }
    if (boots.length === 0 && ls.some((l) => l.text)) {
      const b = appOnly(ls, undefined);
      if (b) boots.push(b);
    }
    return finish(boots);
  });
}

const SIGNATURES: readonly [RegExp, number][] = [
  [/^\*\*\* Booting MCUboot\b/, 0.9],
  [/^(?:Primary|Secondary) image: magic=/, 0.9],
  [/^Starting swap using \S+ algorithm/, 0.9],
  [/^Bootloader chainload address offset/, 0.9],
  [/^Jumping to the first image slot/, 0.9],
  [/^Image in the secondary slot is not valid/, 0.9],
  [/^Unable to find bootable image/, 0.8],
  [/^Image \d+: version=\S+, magic=/, 0.8],
  [/^(?:Image index: \d+, )?Swap type: (?:none|test|perm|revert|fail)/, 0.6],
  [/^Starting bootloader/, 0.5],
  [/^hello sbl\.$/, 0.5],
];

export const mcubootParser: BootLogParser = {
  stack: 'mcuboot',
  parse,
  detect: (lines) => score(messages(formatLines(lines)), SIGNATURES),
};
