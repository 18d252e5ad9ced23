// ESP8266 Arduino core: ROM → eboot → the one sketch. There is no second executable slot and no
// rollback: the slot is always 'sketch'. eboot prints 'v%08x' (newer), '@' (an RTC command) or
// '~' (none), 'cp:N' after copying a staged update over the sketch (0 = ok), 'ld' before loading
// the sketch and 'e:N' when loading failed (facts §D). A copy followed by 'ld' is a swap.
// Version: the sketch's banner, 'Arduino OTA Test 1.0.1' → '1.0.1', or a 'version' line.
import type { Boot, BootLogParser } from './boot.ts';
import { keywordVersion, looksLikeText, trailingVersion } from './lines.ts';
import { formatLines, messages } from './format.ts';
import { esp8266Rom, esp8266RomClass, esp8266RomFailure } from './esp-rom.ts';
import { rbootClass } from './rboot.ts';
import { draft, finish, noteCrash, safely, score, segment, type Draft, type LineClass, type Segment } from './segment.ts';

const APP_WORDS = /[A-Za-z]{3,}[ :_-]+[A-Za-z]{3,}/;

/** eboot writes characters, not lines: '@cp:0', 'ld', '~ld', 'v00000000', 'e:3'. */
const EBOOT = /^(?:v[0-9a-f]{8}|[@~]?(?:cp:B*\d|ld|e:\d))$/;

function classify(t: string): LineClass | null {
  const rom = esp8266RomClass(t);
  if (rom) return rom;
  if (EBOOT.test(t)) return { rank: 2, boundary: false };
  return null;
}

interface SketchBoot extends Draft {
  sawLoader: boolean;
}

const COPY_ERRORS: Record<string, string> = {
  '1': 'misaligned', '2': 'erase failed', '3': 'read failed', '4': 'write failed', '5': 'gzip header', '6': 'gzip data',
};

function scan(texts: readonly string[], seg: Segment): SketchBoot {
  const b: SketchBoot = { ...draft(seg), sawLoader: false };
  let bootMode: number | null = null;
  let copy: { rc: string; line: number } | null = null;
  let loadFailed: string | null = null;
  let inApp = false;
  let foreign = -1; // another second stage (rBoot) ran: whatever follows is not eboot's sketch
  let firstLoadSeen = false;
  for (let i = seg.start; i <= seg.end; i++) {
    const t = texts[i] ?? '';
    if (!t) continue;
    const romFail = !inApp && !b.sawLoader ? esp8266RomFailure(t) : null;
    if (romFail) {
      b.failure = romFail;
      b.evidence.push(i);
      continue;
    }
    const rom = esp8266Rom(t);
    if (rom) {
      bootMode = rom.bootMode;
      if (rom.bootMode === 1) b.evidence.push(i);
      continue;
    }
    if (!inApp) {
      // The ROM's first load is the second stage: eboot always sits at 0x4010f000.
      const load = /^load (0x[0-9a-f]+), len/.exec(t);
      if (load && !firstLoadSeen) {
        firstLoadSeen = true;
        if (parseInt(load[1] ?? '', 16) !== 0x4010f000 && foreign < 0) foreign = i;
      }
      if (esp8266RomClass(t)) continue;
      if (EBOOT.test(t)) {
        b.sawLoader = true;
        const cp = /cp:B*(\d)/.exec(t);
        if (cp) {
          copy = { rc: cp[1] ?? '', line: i };
          b.evidence.push(i);
        }
        const e = /e:(\d)/.exec(t);
        if (e) {
          loadFailed = e[1] ?? '';
          b.evidence.push(i);
        }
        if (/ld$/.test(t)) {
          inApp = true;
          b.evidence.push(i);
        }
        continue;
      }
      if (rbootClass(t)) {
        if (foreign < 0) foreign = i;
        continue;
      }
      // eboot said nothing readable, yet the sketch talks: it was loaded.
      if (foreign >= 0 || !looksLikeText(t)) continue;
      inApp = true;
    }
    if (/^e:\d$/.test(t)) {
      loadFailed = t.slice(2);
      b.evidence.push(i);
      continue;
    }
    b.appUp = true;
    if (b.version === null) {
      const v = keywordVersion(t) ?? trailingVersion(t);
      if (v) {
        b.version = v;
        b.evidence.push(i);
      }
    }
    noteCrash(b, t, i);
  }
  if (b.failure?.startsWith('ROM cannot')) {
    b.appUp = false;
  } else if (loadFailed !== null) {
    b.failure = `eboot could not load the sketch (e:${loadFailed})`;
    b.appUp = false;
  } else if (bootMode === 1 && !b.sawLoader && !b.appUp) {
    b.failure = 'ROM in UART download mode (boot mode 1): no firmware runs';
  }
  if (copy && copy.rc !== '0') {
    b.notes.push(`eboot copy failed: cp:${copy.rc} (${COPY_ERRORS[copy.rc] ?? 'error'})`);
    if (!b.failure) b.failure = `eboot copy failed (cp:${copy.rc})`;
    b.event = 'unknown';
    return b;
  }
  if (b.failure && !b.failure.startsWith('app crashed')) {
    b.slot = 'none';
    b.event = 'brick';
    return b;
  }
  if (foreign >= 0 && !b.sawLoader) {
    b.notes.push(`not an eboot boot: another second stage ran (line ${foreign + 1})`);
    return b;
  }
  if (inApp) {
    b.slot = 'sketch';
    b.event = copy ? 'swap' : 'normal';
  } else b.notes.push('the sketch did not start');
  return b;
}

function parse(lines: readonly string[]): Boot[] {
  return safely(() => {
    const texts = messages(formatLines(lines));
    const boots: SketchBoot[] = [];
    for (const seg of segment(texts, classify)) {
      const b = scan(texts, seg);
      if (seg.preamble && !b.sawLoader) {
        // The sketch was running before the capture's first reset: a boot of the one sketch slot.
        const first = texts.findIndex((t, j) => j >= seg.start && j <= seg.end && APP_WORDS.test(t) && looksLikeText(t));
        // Only when the capture goes on into an ESP8266 reset: other stacks' text is not a sketch.
        const resetFollows = texts.some((t, j) => j > seg.end && esp8266Rom(t) !== null);
        if (first < 0 || b.failure || !resetFollows) continue;
        b.slot = 'sketch';
        b.event = 'normal';
        b.appUp = true;
        b.evidence.push(first);
        b.notes.push('the sketch was already running when the capture began');
      }
      boots.push(b);
    }
    // eboot's output was unreadable but the version moved: only a copy does that.
    let prev: SketchBoot | null = null;
    for (const b of boots) {
      if (b.slot === 'sketch' && !b.sawLoader && b.event === 'normal' && prev?.version && b.version && prev.version !== b.version) {
        b.event = 'swap';
        b.notes.push(`version changed ${prev.version} → ${b.version} with eboot output unreadable`);
      }
      if (b.slot === 'sketch') prev = b;
    }
    return finish(boots);
  });
}

const SIGNATURES: readonly [RegExp, number][] = [
  [/^[@~]cp:B*\d$/, 0.85],
  [/^~ld$/, 0.8],
  [/^load 0x4010f000, len \d+, room \d+/, 0.6],
  [/^ets Jan +8 2013, *rst cause:\d+, *boot mode:/, 0.35],
];

export const esp8266ArduinoParser: BootLogParser = {
  stack: 'esp8266-arduino',
  parse,
  detect: (lines) => score(messages(formatLines(lines)), SIGNATURES),
};
