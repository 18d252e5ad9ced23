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
import { formatLines, messages, type ConsoleLine } from './format.ts';
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

/**
 * Real Device OS serial logs ('0000012345 [system] INFO: …') carry milliseconds since reset but no
 * bootloader line. A capture whose first stamp is within FRESH_MS of reset shows a start; a stamp
 * that goes back to near zero later is a restart. Neither shows which module runs: slot null.
 */
const FRESH_MS = 15000;

function deviceOsBoots(ls: readonly ConsoleLine[]): Draft[] {
  const boots: Draft[] = [];
  let cur: Draft | null = null;
  let last = -1;
  let applying = false;
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i];
    if (!l || l.ticks === null || !l.wrappers.includes('particle-log')) continue;
    const restart = last >= 0 ? l.ticks < last - 1000 && l.ticks < FRESH_MS : l.ticks < FRESH_MS;
    if (restart) {
      if (cur) cur.end = i - 1;
      cur = { ...draft({ start: i, end: ls.length - 1, preamble: false }), event: applying ? 'swap' : 'normal', appUp: true };
      cur.evidence.push(i);
      cur.notes.push(`uptime ${l.ticks} ms: the capture shows the device starting`);
      boots.push(cur);
      applying = false;
    }
    last = l.ticks;
    if (/^Applying firmware update/.test(l.text)) applying = true;
    if (cur && cur.version === null && /^app/.test(l.tag ?? '')) {
      const v = keywordVersion(l.text);
      if (v) {
        cur.version = v;
        cur.evidence.push(i);
      }
    }
  }
  return boots;
}

function parse(lines: readonly string[]): Boot[] {
  return safely(() => {
    const ls = formatLines(lines);
    const texts = messages(ls);
    const segs = segment(texts, (t) => (BANNER.test(t) ? { rank: 0, boundary: true } : null));
    const boots = segs.map((s) => scan(texts, s.start, s.end)).filter((b, k) => !segs[k]?.preamble || b.bl);
    return finish(boots.length > 0 ? boots : deviceOsBoots(ls));
  });
}

export const particleParser: BootLogParser = {
  stack: 'particle',
  parse,
  detect: (lines) => {
    const ls = formatLines(lines);
    const sim = score(messages(ls), [[BANNER, 0.95], [/^pbl: /, 0.8], [/^sys: (?:safe mode|Device OS|firmware_update)/, 0.6]]);
    // Device OS log lines: '[system]', '[comm.…]', '[app]' categories in its own line format.
    const real = ls.filter((l) => l.wrappers.includes('particle-log') && /^(?:system|comm|app|hal|ncp|net|wiring)/.test(l.tag ?? '')).length;
    return Math.max(sim, real >= 3 ? 0.7 : real > 0 ? 0.4 : 0);
  },
};
