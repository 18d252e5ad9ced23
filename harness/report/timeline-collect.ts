// Turns what a board recorded during a test — harness events on the console clock, received
// lines, parsed boots, OTA progress samples — into the timeline's data. Pure, so it is tested
// with hand-made logs; the harness event texts it reads are the ones Board and the transports note.
import type { ConsoleEvent, ConsoleLine } from '../console/console.ts';
import type { Boot } from '../bootlog/boot.ts';
import type { OtaSample } from './ota-progress.ts';
import { pct, type MarkKind, type PowerState, type TimelineData } from './timeline.ts';

export interface TimelineSources {
  board: string;
  /** Fault plans the scenario declared (report.fault). */
  faults?: readonly string[];
  versions?: { baseline?: string; candidate?: string };
  events: readonly ConsoleEvent[];
  lines: readonly ConsoleLine[];
  boots: readonly Boot[];
  ota: readonly OtaSample[];
  /** Console clock at the end of the test. */
  endMs: number;
}

export function collectTimeline(src: TimelineSources): TimelineData {
  const times = [...src.events.map((e) => e.t), ...src.lines.map((l) => l.t), ...src.ota.map((s) => s.t)];
  const lastT = Math.max(src.endMs, ...times, 0);
  // The picture starts shortly before the first thing that happened, not at the console's opening.
  const firstT = times.length ? Math.min(...times) : 0;
  const startMs = Math.max(0, firstT - (lastT - firstT) * 0.02);
  const boots = src.boots.flatMap((b) => {
    const start = src.lines[b.startLine];
    if (!start) return [];
    const end = src.lines[b.endLine] ?? start;
    return [{ from: start.t, to: Math.max(end.t, start.t), slot: b.slot, version: b.version, event: b.event, complete: b.complete }];
  });
  const downloads = downloadsOf(src.ota);
  const { baseline, candidate } = src.versions ?? {};
  return {
    title: [src.board, ...(src.faults ?? [])].join(' · '),
    subtitle: baseline || candidate ? `baseline ${baseline ?? '?'} → candidate ${candidate ?? '?'}` : undefined,
    startMs,
    endMs: lastT,
    power: powerSpans(src.events, lastT),
    downloads,
    boots,
    marks: src.events.flatMap((e, i) => {
      const m = markOf(e.text);
      if (!m) return [];
      const before = src.events.slice(0, i).reverse();
      // Powering down to flash a baseline is no fault: the power band shows it, no cut line.
      if (m.kind === 'cut' && before[0]?.text.startsWith('install ')) return [];
      const since = before.find((p) => p.text.startsWith('power off'))?.t ?? -Infinity;
      const text = m.kind === 'cut' ? describeCut(e.t, since, src.ota, src.lines) : m.text;
      return [{ t: e.t, kind: m.kind, text }];
    }),
  };
}

/** Power state between the harness's "power off" / "power on" notes; unknown before the first. */
export function powerSpans(events: readonly ConsoleEvent[], endMs: number): TimelineData['power'] {
  const spans: TimelineData['power'] = [];
  let state: PowerState = 'unknown';
  let from = 0;
  for (const e of events) {
    const next: PowerState | null = e.text.startsWith('power off') ? 'off' : e.text.startsWith('power on') ? 'on' : null;
    if (next === null || next === state) continue;
    if (e.t > from) spans.push({ from, to: e.t, state });
    state = next;
    from = e.t;
  }
  spans.push({ from, to: Math.max(endMs, from), state });
  return spans;
}

function markOf(text: string): { kind: MarkKind; text: string } | null {
  if (text.startsWith('power off')) return { kind: 'cut', text: 'power cut' };
  if (text.startsWith('power on') || text.startsWith('> ')) return null; // bands and commands speak for themselves
  if (text.startsWith('install ')) return { kind: 'install', text };
  if (text.startsWith('ota: serving ')) return { kind: 'ota', text: `serve ${text.slice('ota: serving '.length).replace(/ at \S+$/, '')}` };
  if (text.startsWith('commit')) return { kind: 'commit', text };
  if (text.startsWith('verdict: ')) return verdictMark(text);
  return { kind: 'note', text };
}

/**
 * "verdict: FAIL — expected b to boot 1.1.0 (event trial); booted …" → "✗ expected 1.1.0 (event
 * trial)": short, since the boot lane already shows what booted.
 */
function verdictMark(text: string): { kind: MarkKind; text: string } {
  const pass = text.startsWith('verdict: pass');
  const expected = / to boot (.*?); booted /.exec(text)?.[1] ?? text.slice('verdict: '.length);
  return pass ? { kind: 'verdict-pass', text: `✓ ${expected}` } : { kind: 'verdict-fail', text: `✗ expected ${expected}` };
}

function downloadsOf(samples: readonly OtaSample[]): TimelineData['downloads'] {
  const ids = [...new Set(samples.map((s) => s.delivery))];
  return ids.map((id) => {
    const own = samples.filter((s) => s.delivery === id);
    // The curve runs from the request (0%) to the first end: later samples only repeat it.
    const endAt = own.findIndex((s) => s.phase === 'delivered' || s.phase === 'failed');
    const curve = endAt < 0 ? own : own.slice(0, endAt + 1);
    const last = curve[curve.length - 1]!;
    const startAt = Math.max(0, curve.findIndex((s) => s.phase !== 'waiting') - 1);
    return {
      image: last.image,
      total: last.total,
      points: curve.slice(startAt).map((s) => ({ t: s.t, fraction: s.total ? s.bytes / s.total : 0 })),
      outcome: last.phase === 'delivered' ? 'delivered' : last.phase === 'failed' ? 'failed' : 'unfinished',
    };
  });
}

/**
 * Where the cut hit: "power cut at 50% of candidate 1.1.0 (24036/48072 B)", or else after which
 * console line ("power cut 40 ms after "I: Starting swap using scratch algorithm""). `since` is
 * the previous cut: samples the board took for this cut lie after it.
 */
export function describeCut(t: number, since: number, ota: readonly OtaSample[], lines: readonly ConsoleLine[]): string {
  const parts = ['power cut'];
  const latest = new Map<number, OtaSample>();
  // Prefer the samples taken at the cut: a periodic sample may already see the dropped connection.
  const atCut = ota.filter((s) => s.cut && s.t <= t && s.t > since);
  for (const s of atCut.length ? atCut : ota.filter((o) => o.t <= t)) latest.set(s.delivery, s);
  const inFlight = [...latest.values()].filter((s) => s.phase === 'transferring');
  for (const s of inFlight) parts.push(`at ${pct(s.bytes / s.total)} of ${s.image} (${s.bytes}/${s.total} B)`);
  const lastLine = [...lines].reverse().find((l) => l.t <= t);
  if (inFlight.length === 0 && lastLine && lastLine.t > since) {
    const quoted = lastLine.text.length > 48 ? `${lastLine.text.slice(0, 47)}…` : lastLine.text;
    parts.push(`${Math.round(t - lastLine.t)} ms after "${quoted}"`);
  }
  return parts.join(' ');
}
