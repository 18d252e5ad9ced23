// The timeline picture attached to every result: power bands, OTA progress, each boot with its
// slot, version and event, and the harness's actions (install, serve, cut, commit, verdict) on
// one time axis, so a reader sees at a glance where the cut hit and what booted after it.
// Pure: data in, SVG text out (no DOM, no fonts; text widths are estimated).
import type { BootEvent } from '../bootlog/boot.ts';

export type PowerState = 'on' | 'off' | 'unknown';
export type MarkKind = 'install' | 'ota' | 'cut' | 'commit' | 'verdict-pass' | 'verdict-fail' | 'note';

export interface TimelineData {
  title: string;
  subtitle?: string;
  /** The window drawn, in ms on the console clock (start defaults to 0). */
  startMs?: number;
  endMs: number;
  power: { from: number; to: number; state: PowerState }[];
  downloads: {
    image: string;
    total: number;
    points: { t: number; fraction: number }[];
    outcome: 'delivered' | 'failed' | 'unfinished';
  }[];
  boots: { from: number; to: number; slot: string | null; version: string | null; event: BootEvent; complete: boolean }[];
  marks: { t: number; kind: MarkKind; text: string }[];
}

const W = 1000;
const LEFT = 96;
const RIGHT = 16;
const PLOT = W - LEFT - RIGHT;
const CHAR = 6.3; // px per character at 11px: good enough to keep labels apart
const BOLD_CHAR = 7.2;

const Y = { title: 22, subtitle: 40, power: 56, ota: 84, otaH: 56, boots: 152, bootH: 20, bootLabels: 186, marks: 222, markLabels: 238, axis: 298, legend: 332 };
const HEIGHT = 348;
const MARK_ROWS = 4;
const ROW = 14;

export const EVENT_COLOURS: Record<BootEvent, string> = {
  normal: '#2e7d32',
  trial: '#f9a825',
  swap: '#1565c0',
  'swap-resumed': '#00838f',
  revert: '#6a1b9a',
  rollback: '#ad1457',
  brick: '#c62828',
  unknown: '#757575',
};

const MARK_COLOURS: Record<MarkKind, string> = {
  install: '#455a64',
  ota: '#1565c0',
  cut: '#c62828',
  commit: '#2e7d32',
  'verdict-pass': '#2e7d32',
  'verdict-fail': '#c62828',
  note: '#9e9e9e',
};

const POWER_COLOURS: Record<PowerState, string> = { on: '#66bb6a', off: '#424242', unknown: '#e0e0e0' };

/** Labels left out by the last lanes drawn (where events crowd); reset per picture. */
const hidden = { boots: 0, marks: 0 };

export function renderTimeline(data: TimelineData): string {
  hidden.boots = hidden.marks = 0;
  const start = Math.max(0, Math.min(data.startMs ?? 0, data.endMs));
  const end = Math.max(data.endMs, start + 1);
  const x = (t: number) => LEFT + ((Math.min(Math.max(t, start), end) - start) / (end - start)) * PLOT;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${HEIGHT}" viewBox="0 0 ${W} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(8, Y.title, data.title, { weight: 'bold', size: 14 }),
  ];
  if (data.subtitle) out.push(text(8, Y.subtitle, data.subtitle, { fill: '#555' }));
  for (const [label, y] of [['power', Y.power + 12], ['OTA', Y.ota + Y.otaH / 2 + 4], ['boots', Y.boots + 14], ['harness', Y.marks + 4]] as const) {
    out.push(text(8, y, label, { fill: '#333', weight: 'bold' }));
  }
  out.push(...powerLane(data, x), ...otaLane(data, x), ...bootLane(data, x), ...markLane(data, x), ...axis(start, end, x), ...legend(data));
  const left = hidden.boots + hidden.marks;
  if (left) out.push(text(W - RIGHT, Y.legend, `${left} label(s) left out where events crowd: console.log has every line`, { anchor: 'end', fill: '#777', size: 10 }));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function powerLane(data: TimelineData, x: (t: number) => number): string[] {
  return data.power.map((s) => {
    const x0 = x(s.from);
    const w = Math.max(x(s.to) - x0, 1);
    const label = w > 30 ? text(x0 + 4, Y.power + 12, s.state === 'unknown' ? '?' : s.state, { fill: s.state === 'on' ? '#1b5e20' : s.state === 'off' ? '#fff' : '#666' }) : '';
    return `<g><title>power ${s.state} ${secs(s.from)} – ${secs(s.to)}</title><rect x="${n(x0)}" y="${Y.power}" width="${n(w)}" height="16" fill="${POWER_COLOURS[s.state]}"/>${label}</g>`;
  });
}

function otaLane(data: TimelineData, x: (t: number) => number): string[] {
  const top = Y.ota;
  const bottom = Y.ota + Y.otaH;
  const y = (f: number) => bottom - Math.min(Math.max(f, 0), 1) * Y.otaH;
  const out = [
    `<rect x="${LEFT}" y="${top}" width="${PLOT}" height="${Y.otaH}" fill="#f5f5f5" stroke="#e0e0e0"/>`,
    text(LEFT - 4, top + 9, '100%', { anchor: 'end', fill: '#777', size: 9 }),
    text(LEFT - 4, bottom, '0%', { anchor: 'end', fill: '#777', size: 9 }),
  ];
  if (data.downloads.length === 0) out.push(text(LEFT + 6, top + Y.otaH / 2 + 4, 'no OTA delivery', { fill: '#999' }));
  for (const d of data.downloads) {
    if (d.points.length === 0) continue;
    const pts = d.points.map((p) => `${n(x(p.t))},${n(y(p.fraction))}`);
    const first = d.points[0]!;
    const last = d.points[d.points.length - 1]!;
    const colour = d.outcome === 'failed' ? '#c62828' : '#1565c0';
    out.push(
      `<g><title>${esc(`${d.image}: ${d.total} bytes, ${d.outcome}${d.outcome === 'delivered' ? '' : ` at ${pct(last.fraction)}`}`)}</title>`,
      `<polygon points="${n(x(first.t))},${bottom} ${pts.join(' ')} ${n(x(last.t))},${bottom}" fill="${colour}" fill-opacity="0.15"/>`,
      `<polyline points="${pts.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`,
      text(x(first.t) + 3, top + 11, d.image, { fill: colour }),
      text(x(last.t) + 4, Math.max(y(last.fraction) + 4, top + 24), d.outcome === 'delivered' ? '✓ delivered' : d.outcome === 'failed' ? `✗ ${pct(last.fraction)}` : pct(last.fraction), {
        fill: colour,
        anchor: x(last.t) > W - RIGHT - 80 ? 'end' : 'start',
      }),
      '</g>',
    );
  }
  return out;
}

function bootLane(data: TimelineData, x: (t: number) => number): string[] {
  const out: string[] = [];
  const labels = data.boots.map((b) => `${b.event === 'brick' ? 'BRICK' : (b.version ?? '?')} · ${b.slot ?? '?'} · ${b.event}${b.complete ? '' : ' (cut short)'}`);
  // A label runs right from its boot's start, or (at the right edge) ends at its boot's end.
  const placed = labels.map((l, i) => label(x(data.boots[i]!.from), l, x(data.boots[i]!.to), BOLD_CHAR));
  const rows = placeRows(placed, 2, { drop: true });
  data.boots.forEach((b, i) => {
    const x0 = x(b.from);
    const w = Math.max(x(b.to) - x0, 3);
    const colour = EVENT_COLOURS[b.event];
    const ly = Y.bootLabels + rows[i]! * ROW;
    out.push(
      `<g><title>${esc(`boot ${i}: ${labels[i]} (${secs(b.from)} – ${secs(b.to)})`)}</title>`,
      `<rect x="${n(x0)}" y="${Y.boots}" width="${n(w)}" height="${Y.bootH}" rx="2" fill="${colour}"${b.complete ? '' : ' fill-opacity="0.55" stroke-dasharray="3,2" stroke="#333"'}/>`,
      // Where boots crowd, only the first that fits is named; the bar's colour and tooltip tell the rest.
      rows[i]! < 0
        ? ''
        : `<line x1="${n(x0)}" y1="${Y.boots + Y.bootH}" x2="${n(x0)}" y2="${ly - 9}" stroke="${colour}" stroke-width="1"/>` +
            text(placed[i]!.anchor === 'end' ? placed[i]!.x + placed[i]!.w : x0, ly, labels[i]!, { fill: colour, weight: 'bold', anchor: placed[i]!.anchor }),
      '</g>',
    );
  });
  hidden.boots = rows.filter((r) => r < 0).length;
  if (data.boots.length === 0) out.push(text(LEFT + 6, Y.boots + 14, 'no boot on the console', { fill: '#999' }));
  return out;
}

function markLane(data: TimelineData, x: (t: number) => number): string[] {
  const out: string[] = [];
  const marks = data.marks.filter((m) => m.kind !== 'note');
  const placed = marks.map((m) => label(x(m.t), m.text));
  const rows = placeRows(placed, MARK_ROWS, { drop: true });
  hidden.marks = rows.filter((r) => r < 0).length;
  marks.forEach((m, i) => {
    const mx = x(m.t);
    const colour = MARK_COLOURS[m.kind];
    const ly = Y.markLabels + rows[i]! * ROW;
    if (m.kind === 'cut') {
      // A cut gets a line through every lane: the one moment the whole picture is about.
      out.push(`<line x1="${n(mx)}" y1="${Y.power - 4}" x2="${n(mx)}" y2="${Y.axis}" stroke="${colour}" stroke-width="1.5" stroke-dasharray="5,3"/>`);
    }
    out.push(
      `<g><title>${esc(`${secs(m.t)} ${m.text}`)}</title>`,
      `<path d="M${n(mx - 4)},${Y.marks - 6} L${n(mx + 4)},${Y.marks - 6} L${n(mx)},${Y.marks + 2} Z" fill="${colour}"/>`,
      rows[i]! < 0 ? '' : `<line x1="${n(mx)}" y1="${Y.marks + 2}" x2="${n(mx)}" y2="${ly - 9}" stroke="${colour}" stroke-width="0.5"/>` + text(mx, ly, m.text, { fill: colour, anchor: placed[i]!.anchor }),
      '</g>',
    );
  });
  return out;
}

function axis(start: number, end: number, x: (t: number) => number): string[] {
  const step = niceStep((end - start) / 8);
  const out = [`<line x1="${LEFT}" y1="${Y.axis}" x2="${W - RIGHT}" y2="${Y.axis}" stroke="#999"/>`];
  const decimals = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  for (let t = Math.ceil(start / step) * step; t <= end + 1e-9; t += step) {
    out.push(`<line x1="${n(x(t))}" y1="${Y.axis}" x2="${n(x(t))}" y2="${Y.axis + 4}" stroke="#999"/>`);
    out.push(text(x(t), Y.axis + 15, `${(t / 1000).toFixed(decimals)} s`, { anchor: 'middle', fill: '#666', size: 10 }));
  }
  return out;
}

function legend(data: TimelineData): string[] {
  const events = [...new Set(data.boots.map((b) => b.event))];
  const out: string[] = [];
  let lx = LEFT;
  for (const e of events) {
    out.push(`<rect x="${lx}" y="${Y.legend - 9}" width="10" height="10" fill="${EVENT_COLOURS[e]}"/>`, text(lx + 14, Y.legend, e, { fill: '#444' }));
    lx += 24 + e.length * CHAR;
  }
  out.push(`<line x1="${lx}" y1="${Y.legend - 4}" x2="${lx + 16}" y2="${Y.legend - 4}" stroke="#c62828" stroke-width="1.5" stroke-dasharray="5,3"/>`, text(lx + 20, Y.legend, 'power cut', { fill: '#444' }));
  return out;
}

/** A label at `x`: it runs right, or ends at `endAt` (default `x`) where it would leave the picture. */
function label(x: number, s: string, endAt = x, charW = CHAR): { x: number; w: number; anchor: 'start' | 'end' } {
  const w = s.length * charW;
  const right = Math.min(Math.max(endAt, x), W - RIGHT);
  return x + w > W - RIGHT ? { x: right - w, w, anchor: 'end' } : { x, w, anchor: 'start' };
}

/**
 * Greedy rows for labels: each goes in the first row where it does not overlap; else the least
 * crowded, or -1 with `drop` (a label that would overprint others is left out: its mark keeps a tooltip).
 */
export function placeRows(items: { x: number; w: number }[], rows: number, opts: { drop?: boolean } = {}): number[] {
  const ends = new Array<number>(rows).fill(-Infinity);
  return items.map(({ x, w }) => {
    let row = ends.findIndex((e) => e + 6 <= x);
    if (row < 0 && opts.drop) return -1;
    if (row < 0) row = ends.indexOf(Math.min(...ends));
    ends[row] = x + w;
    return row;
  });
}

/** 1, 2 or 5 times a power of ten, at least `raw` ms (and at least 1 ms). */
export function niceStep(raw: number): number {
  const r = Math.max(raw, 1);
  const p = 10 ** Math.floor(Math.log10(r));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= r)!;
}

/** 0.5 → "50%", 0.0512 → "5.1%". */
export function pct(f: number): string {
  const v = f * 100;
  return Math.abs(v - Math.round(v)) < 0.05 ? `${Math.round(v)}%` : `${v.toFixed(1)}%`;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

function n(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function text(x: number, y: number, s: string, o: { fill?: string; weight?: string; size?: number; anchor?: 'start' | 'middle' | 'end' } = {}): string {
  const attrs = [`x="${n(x)}"`, `y="${n(y)}"`];
  if (o.fill) attrs.push(`fill="${o.fill}"`);
  if (o.weight) attrs.push(`font-weight="${o.weight}"`);
  if (o.size) attrs.push(`font-size="${o.size}"`);
  if (o.anchor && o.anchor !== 'start') attrs.push(`text-anchor="${o.anchor}"`);
  return `<text ${attrs.join(' ')}>${esc(s)}</text>`;
}

/** XML text: entities escaped, control characters (invalid in XML 1.0) dropped. */
export function esc(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** For the other pictures (sweep-picture.ts): the same number and text formatting. */
export { n as svgNum, text as svgText };
