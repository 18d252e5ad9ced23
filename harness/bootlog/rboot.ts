// rBoot on the ESP8266 (upstream raburton/rboot and Sming's copy). Slots are 'rom0', 'rom1', …
// from 'Booting rom N …'. Upstream rBoot has no trial/confirm: a new ROM is switched in for good
// (swap), a temp-ROM boot ('Booting temp rom.') is the only trial, and a bad ROM makes it fall
// back to the previous one (rollback). Mongoose OS runs Cesanta's patched rBoot, so mongoose-os.ts
// reuses the scanning and the decision below.
import type { Boot, BootLogParser } from './boot.ts';
import { keywordVersion, looksLikeText } from './lines.ts';
import { formatLines, messages } from './format.ts';
import { esp8266RomClass } from './esp-rom.ts';
import { draft, finish, noteCrash, safely, score, segment, type Draft, type LineClass, type Segment } from './segment.ts';

export const RBOOT_BANNER = /^rBoot v\d+\.\d+(?:\.\d+)? - /;
const BOOTING = /^Booting rom (\d+)\b/;
const BAD = /^Rom (-?\d+)(?: at [0-9a-fx]+)? is bad\./i;
const GIVE_UP =
  /^No good rom available\.|^GPIO boot (?:rom \(\d+\) is bad|failed)\.|^Temp boot rom \(\d+\) is bad\.|^Invalid (?:temp|GPIO) rom selected\./;
const RBOOT_LINE =
  /^(?:Flash Size: |Flash Mode: |Flash Speed: |rBoot Option: |Writing default boot config\.|Resetting boot config\.|Invalid rom selected|Booting temp rom\.|Booting GPIO-selected|Erasing SDK config|First boot, attempt \d+|Boot is unconfirmed|Boot failed, fallback to fw #\d+)/;

export function rbootClass(t: string): LineClass | null {
  const rom = esp8266RomClass(t);
  if (rom) return rom;
  if (RBOOT_BANNER.test(t)) return { rank: 2, boundary: true };
  if (BOOTING.test(t)) return { rank: 3, boundary: false };
  if (RBOOT_LINE.test(t) || BAD.test(t) || GIVE_UP.test(t)) return { rank: 2.5, boundary: false };
  return null;
}

/** Repeating 'Rom -1 at 0 is bad.' with no ROM ever booted: rBoot spins on a garbage config. */
const BAD_LOOP = 3;

export interface RbootBoot extends Draft {
  sawBootloader: boolean;
  bad: number;
  temp: boolean;
  /** Cesanta rBoot: first boot of an unconfirmed ROM ('Boot is unconfirmed'). */
  unconfirmed: boolean;
  /** Cesanta rBoot: 'Boot failed, fallback to fw #N'. */
  fallback: boolean;
  /** The app asked to go back (Mongoose commit timeout, 'Reverting to slot'): the next boot reverts. */
  revertRequested: boolean;
  /** The app talked about updating: a silent next boot may run another ROM. */
  updateActivity: boolean;
  /** The line that named the slot. */
  slotLine: number;
  /** The app set the ROM for the next boot ('Firmware updated, rebooting to rom 1...'). */
  requestedRom: string | null;
}

/** App lines that name the running ROM or the next one (Sming's samples and their kin). */
export function romAnnouncement(b: RbootBoot, t: string, i: number): void {
  // 'Currently running rom 1.' (Sming's Basic_rBoot), 'current ROM: 0' (Sming's rBoot info dump).
  const run = /^Currently running rom (\d+)|(?:^|\s)current ROM: ?(\d+)\s*$/i.exec(t);
  if (run && b.slot === null) {
    b.slot = `rom${run[1] ?? run[2]}`;
    b.slotLine = i;
    b.evidence.push(i);
  }
  const next = /rebooting to rom (\d+)|^Swapping from rom \d+ to rom (\d+)/i.exec(t);
  if (next) {
    b.requestedRom = `rom${next[1] ?? next[2]}`;
    b.evidence.push(i);
  }
}

export type AppHook = (b: RbootBoot, t: string, i: number) => void;

/** With anyLineIsApp false the hook alone says when the app is up (it waits for a version banner). */
export function scanRboot(texts: readonly string[], seg: Segment, app: AppHook, anyLineIsApp = true): RbootBoot {
  const b: RbootBoot = {
    ...draft(seg), sawBootloader: false, bad: 0, temp: false, unconfirmed: false,
    fallback: false, revertRequested: false, updateActivity: false, slotLine: -1, requestedRom: null,
  };
  let inApp = false;
  for (let i = seg.start; i <= seg.end; i++) {
    const t = texts[i] ?? '';
    if (!t) continue;
    if (!inApp) {
      if (RBOOT_BANNER.test(t) || RBOOT_LINE.test(t)) {
        b.sawBootloader = true;
        b.appUp = false; // text before rBoot spoke was not the app
      }
      if (/^Booting temp rom\./.test(t)) b.temp = true;
      if (/^Boot is unconfirmed/.test(t)) b.unconfirmed = true;
      if (/^Boot failed, fallback to fw #/.test(t)) {
        b.fallback = true;
        b.evidence.push(i);
      }
      if (/^Booting GPIO-selected|^Resetting boot config|^Writing default boot config/.test(t)) b.notes.push(t);
      if (BAD.test(t)) {
        b.sawBootloader = true;
        b.bad++;
        b.evidence.push(i);
        if (b.bad === BAD_LOOP) b.failure = 'rBoot finds every ROM bad, repeatedly';
      }
      if (GIVE_UP.test(t)) {
        b.sawBootloader = true;
        b.failure = `rBoot gave up: ${t}`;
        b.evidence.push(i);
      }
      const m = BOOTING.exec(t);
      if (m) {
        b.sawBootloader = true;
        b.slot = `rom${m[1]}`;
        b.slotLine = i;
        b.failure = null; // it did find one after all
        b.evidence.push(i);
        inApp = true;
      }
      // rBoot never spoke (its output was garbage at another baud rate) but readable app text follows.
      if (!inApp && !b.sawBootloader && !rbootClass(t) && looksLikeText(t)) {
        if (anyLineIsApp) b.appUp = true;
        app(b, t, i);
      }
      continue;
    }
    if (anyLineIsApp) b.appUp = true;
    app(b, t, i);
    noteCrash(b, t, i);
  }
  return b;
}

/** Events from what rBoot printed and how the ROM moved since the previous boot. */
export function decideRboot(boots: RbootBoot[]): void {
  let prev: RbootBoot | null = null;
  let requested: string | null = null;
  for (const b of boots) {
    const asked = requested;
    requested = b.requestedRom;
    if (b.failure && !b.failure.startsWith('app crashed')) {
      b.slot = 'none';
      b.event = 'brick';
      continue;
    }
    if (b.slot === null && b.appUp && prev?.slot && !prev.updateActivity && prev.event !== 'trial' && !prev.revertRequested) {
      // rBoot's own lines were lost (baud garbage) but the app runs and nothing could have moved the ROM.
      b.slot = prev.slot;
      if (prev.slotLine >= 0) b.evidence.push(prev.slotLine);
      b.notes.push(`slot taken from the previous boot: rBoot output unreadable, no update since`);
    }
    if (b.slot === null) {
      b.event = 'unknown';
      continue;
    }
    const moved = prev?.slot != null && prev.slot !== b.slot;
    if (b.fallback || prev?.revertRequested) b.event = 'revert';
    else if (b.bad > 0) b.event = 'rollback';
    else if (b.unconfirmed || b.temp) b.event = 'trial';
    else if (asked !== null && asked === b.slot) b.event = 'swap'; // the app installed it and set it to boot
    else if (moved && prev?.event === 'trial') b.event = 'revert';
    else if (moved) b.event = 'swap';
    else b.event = 'normal';
    prev = b;
  }
}

function parse(lines: readonly string[]): Boot[] {
  return safely(() => {
    const texts = messages(formatLines(lines));
    const boots: RbootBoot[] = [];
    for (const seg of segment(texts, (t) => rbootClass(t))) {
      const b = scanRboot(texts, seg, (d, t, i) => {
        if (d.version === null) {
          const v = keywordVersion(t);
          if (v) {
            d.version = v;
            d.evidence.push(i);
          }
        }
        if (/\b(?:ota|update|upgrade)\b/i.test(t)) d.updateActivity = true;
        romAnnouncement(d, t, i);
      });
      // The app was running before the capture's first reset: a boot when it says so much.
      if (seg.preamble && !b.sawBootloader && b.slot === null && b.requestedRom === null) continue;
      boots.push(b);
    }
    decideRboot(boots);
    return finish(boots);
  });
}

const SIGNATURES: readonly [RegExp, number][] = [
  [/^Booting rom \d+ at [0-9a-f]+, load addr [0-9a-f]+\./, 0.9],
  [/^Rom -?\d+ at [0-9a-fx]+ is bad\./, 0.9],
  [RBOOT_BANNER, 0.7],
  [/^Booting rom \d+\.$/, 0.6],
  [/^Booting temp rom\.|^No good rom available\./, 0.7],
  [/^ets Jan +8 2013, *rst cause:/, 0.2],
];

export const rbootParser: BootLogParser = {
  stack: 'rboot',
  parse,
  detect: (lines) => score(messages(formatLines(lines)), SIGNATURES),
};
