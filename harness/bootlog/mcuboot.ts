// MCUboot (Zephyr/NCS, TF-M/NXP forks, the Espressif port). The running image is always the
// primary slot in swap modes; the event comes from the bootloader's own decision lines:
// 'Swap type: test|perm|revert|none' (with or without 'Image index: N, '), a resumed swap that
// logs only 'Starting swap using … algorithm.', 'Image in the secondary slot is not valid!',
// 'Unable to find bootable image'. The same 'Swap type:' strings printed by a running app
// (module mcuboot_util, or an mcumgr query before the reset) are not boots (facts §A).
import type { Boot, BootEvent, BootLogParser } from './boot.ts';
import { crashKind, keywordVersion } from './lines.ts';
import { formatLines, messages, type ConsoleLine } from './format.ts';
import { esp32RomClass, esp32RomFailure } from './esp-rom.ts';
import { draft, finish, safely, score, segment, type Draft, type LineClass } from './segment.ts';

/** The format layer has taken off levels and stamps; a module tag (Zephyr full log) says who printed it. */
function split(l: ConsoleLine | undefined): { module: string | null; msg: string } {
  return { module: l?.tag ?? null, msg: l?.text ?? '' };
}

const BOOTING_MCUBOOT = /^\*\*\* Booting MCUboot\b/;
const BOOTING_ANY = /^\*\*\* Booting .*\*\*\*$|^\*\*\* Booting /;
const STARTING = /^Starting bootloader\b/;
const SWAP_TYPE = /^(?:Image index: (\d+), )?Swap type: (\w+)/;
const STATE = /^(?:Primary image|Secondary image|Scratch): magic=|^Boot source: /;
const DECISION =
  /^Starting swap using \S+ algorithm|^Image in the \w+ slot is not valid|^Unable to find bootable image|^Bad image magic|^Cannot upgrade|^Cleared image \d+ primary slot trailer|^Secondary header magic detected|^Erasing the primary slot/;
const HANDOFF = /^Bootloader chainload address offset|^Jumping to the (?:first )?image slot|^Loading image \d+ - slot (\d+)|^Image \d+ loaded from the (\w+) slot/;
const IMAGE_VERSION = /^Image version: v?(\d+\.\d+\.\d+\S*)/;

/** A bootloader line, unless a running app printed it under its own module. */
function bootloaderLine(l: ConsoleLine | undefined): boolean {
  const { module, msg } = split(l);
  if (module && module !== 'mcuboot') return false;
  return STARTING.test(msg) || SWAP_TYPE.test(msg) || STATE.test(msg) || DECISION.test(msg) || HANDOFF.test(msg) || IMAGE_VERSION.test(msg);
}

/** NCS prints '*** Booting … ***' for the bootloader and for the app: the lines after it tell which. */
function bannerOpensBootloader(i: number, ls: readonly ConsoleLine[]): boolean {
  for (let j = i + 1; j < ls.length && j < i + 8; j++) {
    const t = ls[j]?.text;
    if (!t || /^\*\*\* Using /.test(t)) continue; // NCS 2.6+: '*** Using Zephyr OS …' follows either banner
    const { msg } = split(ls[j]);
    return STARTING.test(msg) || STATE.test(msg);
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
}

function scan(ls: readonly ConsoleLine[], start: number, end: number): Scan {
  const d: Scan = { ...draft({ start, end, preamble: false }), sawBootloader: false, sawBootloaderOnly: false };
  let phase: 'pre' | 'bl' | 'handoff' | 'app' = 'pre';
  let swapType: string | null = null;
  let swapLine = -1;
  let swapStarted = -1;
  let rejected = -1;
  let blVersion: string | null = null;
  let appVersion: string | null = null;
  let slot: string | null = null;
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
        continue;
      }
      if (phase === 'bl' && BOOTING_ANY.test(t)) phase = 'app'; // the app's banner: handoff was silent
      else if (bootloaderLine(ls[i])) {
        phase = 'bl';
        d.sawBootloader = true;
        if (!SWAP_TYPE.test(msg)) d.sawBootloaderOnly = true;
        const sw = SWAP_TYPE.exec(msg);
        if (sw) {
          const type = (sw[2] ?? '').toLowerCase();
          if (swapType === null || SWAP_ORDER.indexOf(type) > SWAP_ORDER.indexOf(swapType)) {
            swapType = type;
            swapLine = i;
          }
        }
        if (/^Starting swap using/.test(msg)) swapStarted = i;
        if (/^Image in the secondary slot is not valid|^Cannot upgrade/.test(msg)) rejected = i;
        if (/^Unable to find bootable image/.test(msg)) {
          d.failure = 'Unable to find bootable image';
          d.evidence.push(i);
        }
        if (/^Bad image magic|^Cleared image|^Secondary header magic|^Image in the primary slot is not valid/.test(msg)) d.notes.push(msg);
        const iv = IMAGE_VERSION.exec(msg);
        if (iv) {
          blVersion = iv[1] ?? null;
          d.evidence.push(i);
        }
        const h = HANDOFF.exec(msg);
        if (h) {
          const n = h[1] ?? (h[2] === 'secondary' ? '1' : '0');
          slot = n === '1' ? 'secondary' : 'primary';
          d.evidence.push(i);
          phase = /^Jumping/.test(msg) ? 'app' : 'handoff';
        }
        continue;
      } else continue;
    } else if (phase === 'handoff') {
      const iv = IMAGE_VERSION.exec(msg);
      if (iv) {
        blVersion = iv[1] ?? null;
        d.evidence.push(i);
        continue;
      }
      if (/^Jumping to/.test(msg)) {
        phase = 'app';
        d.evidence.push(i);
        continue;
      }
      phase = 'app';
    }
    // Application phase: anything printed here is the app's, even 'Swap type:' lines. The
    // kernel's banner is not yet the app: its version line follows (the harness settles on appUp).
    if (!/^\*\*\* (?:Booting|Using) /.test(t)) d.appUp = true;
    if (appVersion === null && module !== 'mcuboot') {
      const v = keywordVersion(msg);
      if (v) {
        appVersion = v;
        d.evidence.push(i);
      }
    }
    const crash = crashKind(t);
    if (crash && !d.failure) {
      d.failure = `app crashed: ${crash}`;
      d.notes.push(d.failure);
      d.evidence.push(i);
    }
  }
  if (swapLine >= 0) d.evidence.push(swapLine);
  if (swapStarted >= 0) d.evidence.push(swapStarted);
  if (rejected >= 0) d.evidence.push(rejected);
  d.version = appVersion ?? blVersion;
  if (d.failure && !d.failure.startsWith('app crashed')) {
    d.slot = 'none';
    d.event = 'brick';
    return d;
  }
  if (d.appUp && slot === null) slot = 'primary'; // the app came up after a silent handoff
  d.slot = slot;
  if (rejected >= 0) d.event = 'rollback';
  else if (swapType !== null) d.event = SWAP_EVENTS[swapType] ?? 'unknown';
  else if (swapStarted >= 0) d.event = 'swap-resumed';
  else if (d.sawBootloader || d.appUp) d.event = 'normal';
  if (d.slot === null && !d.appUp) d.notes.push('no handover to an image seen');
  return d;
}

function parse(lines: readonly string[]): Boot[] {
  return safely(() => {
    const ls = formatLines(lines);
    const boots: Scan[] = [];
    for (const seg of segment(messages(ls), classifier(ls))) {
      const b = scan(ls, seg.start, seg.end);
      // App output before the first reset (even 'Swap type:' queries) is not a boot.
      if (seg.preamble && !b.sawBootloaderOnly) continue;
      boots.push(b);
    }
    return finish(boots);
  });
}

const SIGNATURES: readonly [RegExp, number][] = [
  [BOOTING_MCUBOOT, 0.9],
  [/(?:^|: )(?:Primary|Secondary) image: magic=/, 0.9],
  [/(?:^|: )Starting swap using \S+ algorithm/, 0.9],
  [/(?:^|: )Bootloader chainload address offset/, 0.9],
  [/(?:^|: )Jumping to the first image slot/, 0.9],
  [/(?:^|: )Image in the secondary slot is not valid/, 0.9],
  [/(?:^|: )Unable to find bootable image/, 0.8],
  [/(?:^|: )(?:Image index: \d+, )?Swap type: (?:none|test|perm|revert|fail)/, 0.6],
  [/(?:^|: )Starting bootloader/, 0.5],
];

export const mcubootParser: BootLogParser = {
  stack: 'mcuboot',
  parse,
  detect: (lines) => score(messages(formatLines(lines)), SIGNATURES),
};
