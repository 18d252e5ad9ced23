// Zerynth-style stack. No real textual Zerynth bootloader log is known (facts §E: the docs show
// screenshots only), so this is the format ota-hil's Zerynth-style simulator prints, modelled on
// the FOTA record of the Zerynth stdlib (bytecode slots, attempt/accept, "testing mode"):
//
//   zbl: Zerynth bootloader                        a boot starts
//   zbl: swapping firmware                         new firmware copied in          → swap
//   zbl: resuming firmware swap                    swap restarted after power loss → swap-resumed
//   zbl: firmware rejected: <reason>               previous firmware kept          → rollback
//   zbl: restoring previous firmware               unaccepted firmware undone      → revert
//   zbl: testing mode                              new firmware not yet accepted   → trial
//   zbl: no valid firmware                         nothing to run                  → slot 'none', brick
//   zbl: boot bytecode slot <N>[, vm slot <M>]     slot 'bc<N>'
//   zapp: version <x.y.z>                          the app's first line: its version; the app is up
//   zfota: accepted                                the app accepted itself (note)
//
// The most consequential bootloader line of a boot decides its event, in the order above.
import type { Boot, BootEvent, BootLogParser } from './boot.ts';
import { crashKind, keywordVersion } from './lines.ts';
import { formatLines, messages } from './format.ts';
import { draft, finish, safely, score, segment, type Draft } from './segment.ts';

const BANNER = /^zbl: Zerynth bootloader\b/;
const EVENTS: readonly [RegExp, BootEvent][] = [
  [/^zbl: no valid firmware/, 'brick'],
  [/^zbl: restoring previous firmware/, 'revert'],
  [/^zbl: firmware rejected\b/, 'rollback'],
  [/^zbl: resuming firmware swap/, 'swap-resumed'],
  [/^zbl: testing mode/, 'trial'],
  [/^zbl: swapping firmware/, 'swap'],
];
const SLOT = /^zbl: boot bytecode slot (\d+)/;

function scan(texts: readonly string[], start: number, end: number): Draft & { bl: boolean } {
  const d = { ...draft({ start, end, preamble: false }), bl: false };
  let rank = EVENTS.length;
  let inApp = false;
  for (let i = start; i <= end; i++) {
    const t = texts[i] ?? '';
    if (!t) continue;
    if (t.startsWith('zbl: ')) {
      d.bl = true;
      const k = EVENTS.findIndex(([re]) => re.test(t));
      if (k >= 0 && k < rank) {
        rank = k;
        d.evidence.push(i);
      }
      const s = SLOT.exec(t);
      if (s) {
        d.slot = `bc${s[1]}`;
        d.evidence.push(i);
        inApp = true;
      }
      continue;
    }
    if (!inApp) continue;
    if (/^z(?:app|fota): /.test(t)) d.appUp = true;
    if (/^zfota: accepted/.test(t)) d.notes.push('firmware accepted');
    const v = d.version === null ? keywordVersion(t) : null;
    if (v) {
      d.version = v;
      d.evidence.push(i);
    }
    const crash = crashKind(t);
    if (crash && !d.failure) d.failure = `app crashed: ${crash}`;
  }
  const ev = EVENTS[rank]?.[1];
  if (ev === 'brick') {
    d.slot = 'none';
    d.event = 'brick';
    d.failure = 'no valid firmware';
  } else if (d.slot !== null) d.event = ev ?? 'normal';
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

export const zerynthParser: BootLogParser = {
  stack: 'zerynth',
  parse,
  detect: (lines) => score(messages(formatLines(lines)), [[BANNER, 0.95], [/^zbl: /, 0.8], [/^zfota: /, 0.5]]),
};
