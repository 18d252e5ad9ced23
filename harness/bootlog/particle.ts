// Particle-style stack. No real textual Particle bootloader log is known (facts §E: the device
// reports through LEDs and cloud events), so this is the format ota-hil's Particle-style simulator
// prints, modelled on Device OS: the bootloader copies a staged OTA module into place; a module
// that fails its CRC/dependency check leaves Device OS running without the user app: safe mode.
//
//   pbl: Particle bootloader                       a boot starts
//   pbl: applying OTA module                       staged module copied into place → swap
//   pbl: OTA module invalid, not applied           previous app kept               → rollback
//   sys: Device OS <x.y.z>                         Device OS runs
//   sys: safe mode                                 user app not run → slot 'safe-mode', event brick
//   sys: user firmware running                     slot 'user'
//   app: version <x.y.z>                           the user app's first line: its version; the app is up
//   sys: firmware_update <begin|progress|complete|failed>   system events (notes)
//
// Safe mode is reported as event 'brick' because no user application runs, with slot 'safe-mode'
// (not 'none') because Device OS is up and can take the update again; a note says so.
import type { Boot, BootLogParser } from './boot.ts';
import { crashKind, keywordVersion } from './lines.ts';
import { formatLines, messages } from './format.ts';
import { draft, finish, safely, score, segment, type Draft } from './segment.ts';

const BANNER = /^pbl: Particle bootloader\b/;

function scan(texts: readonly string[], start: number, end: number): Draft & { bl: boolean } {
  const d = { ...draft({ start, end, preamble: false }), bl: false };
  let applied = false;
  let invalid = false;
  let safeMode = false;
  for (let i = start; i <= end; i++) {
    const t = texts[i] ?? '';
    if (!t) continue;
    if (t.startsWith('pbl: ')) d.bl = true;
    if (/^pbl: applying OTA module/.test(t)) {
      applied = true;
      d.evidence.push(i);
    }
    if (/^pbl: OTA module invalid/.test(t)) {
      invalid = true;
      d.evidence.push(i);
    }
    if (/^sys: safe mode/.test(t)) {
      safeMode = true;
      d.evidence.push(i);
    }
    if (/^sys: user firmware running/.test(t)) {
      d.slot = 'user';
      d.evidence.push(i);
    }
    const fu = /^sys: firmware_update (\w+)/.exec(t);
    if (fu) d.notes.push(`firmware_update ${fu[1]}`);
    if (/^app: /.test(t)) {
      d.appUp = true;
      const v = d.version === null ? keywordVersion(t) : null;
      if (v) {
        d.version = v;
        d.evidence.push(i);
      }
    }
    const crash = crashKind(t);
    if (crash && !d.failure) d.failure = `app crashed: ${crash}`;
  }
  if (safeMode) {
    d.slot = 'safe-mode';
    d.event = 'brick';
    d.version = null;
    d.failure = 'safe mode: Device OS runs without the user app; recoverable by sending the update again';
  } else if (d.slot !== null) d.event = invalid ? 'rollback' : applied ? 'swap' : 'normal';
  return d;
}

function parse(lines: readonly string[]): Boot[] {
  return safely(() => {
    const texts = messages(formatLines(lines));
    const segs = segment(texts, (t) => (BANNER.test(t) ? { rank: 0, boundary: true } : null));
    const boots = segs.map((s) => scan(texts, s.start, s.end)).filter((b, k) => !segs[k]?.preamble || b.bl);
    return finish(boots);
  });
}

export const particleParser: BootLogParser = {
  stack: 'particle',
  parse,
  detect: (lines) => score(messages(formatLines(lines)), [[BANNER, 0.95], [/^pbl: /, 0.8], [/^sys: (?:safe mode|Device OS|firmware_update)/, 0.6]]),
};
