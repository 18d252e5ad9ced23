// The result picture of a power-cut sweep: every cut point on the axis of the update's flash
// operations, grouped by phase (download, swap, trial, commit…), one row for clean cuts (between
// operations) and one for torn cuts (during one), each point coloured by how it ended: the
// baseline, the candidate, a risk the stack documents, or a failure. Failing points are numbered
// #1, #2… like the fault-plan attachments that replay them. Pure: data in, SVG text out.
import { esc, niceStep, placeRows, svgNum as n, svgText as text } from './timeline.ts';

export type PointClass = 'baseline' | 'candidate' | 'risk' | 'failure';

export interface SweepPoint {
  /** Clean: cut after `op` operations (0 = before the first). Torn: cut during operation `op` (1-based). */
  op: number;
  torn: boolean;
  cls: PointClass;
  /** "torn during op 57 (program 0x2000+8, 50% done): brick-risk" */
  text: string;
  /** The failure's number (#1…), matching its fault-plan attachment. */
  failure?: number;
}

export interface SweepPictureData {
  title: string;
  subtitle?: string;
  /** Flash operations of the recorded update. */
  ops: number;
  /** Phase of each operation, ops[0] being operation 1. */
  phases: string[];
  total: number;
  points: SweepPoint[];
}

export const CLASS_COLOURS: Record<PointClass | 'missing', string> = {
  baseline: '#78909c',
  candidate: '#43a047',
  risk: '#ffa000',
  failure: '#d32f2f',
  missing: '#eeeeee',
};

const CLASS_NAMES: Record<PointClass | 'missing', string> = {
  baseline: 'baseline runs',
  candidate: 'candidate runs',
  risk: 'documented risk',
  failure: 'failure',
  missing: 'not run',
};

/** Worst first: a column holding several points shows the worst of them. */
const RANK: Record<PointClass, number> = { failure: 3, risk: 2, candidate: 1, baseline: 0 };

const W = 1000;
const LEFT = 70;
const RIGHT = 16;
const PLOT = W - LEFT - RIGHT;
const Y = { title: 22, subtitle: 40, phases: 52, phaseH: 22, clean: 84, torn: 112, rowH: 22, marks: 140, axis: 196, legend: 230 };
const HEIGHT = 246;
const MIN_COL = 3;
const PHASE_SHADES = ['#e3f2fd', '#fff3e0'];

export function renderSweepPicture(d: SweepPictureData): string {
  const cols = d.ops + 1; // op 0 (before the first) … op N
  const per = Math.max(1, Math.ceil((cols * MIN_COL) / PLOT));
  const bins = Math.ceil(cols / per);
  const colW = PLOT / bins;
  const x = (op: number) => LEFT + (op / per) * colW;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${HEIGHT}" viewBox="0 0 ${W} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(8, Y.title, d.title, { weight: 'bold', size: 14 }),
  ];
  if (d.subtitle) out.push(text(8, Y.subtitle, d.subtitle, { fill: '#555' }));
  out.push(text(8, Y.phases + 15, 'phase', { weight: 'bold', fill: '#333' }), text(8, Y.clean + 15, 'clean cut', { weight: 'bold', fill: '#333' }), text(8, Y.torn + 15, 'torn cut', { weight: 'bold', fill: '#333' }));

  // Phase bands: runs of operations in one phase (op n is drawn in column n; column 0 is before the first).
  const runs: { phase: string; from: number; to: number }[] = [];
  d.phases.forEach((p, i) => {
    const op = i + 1;
    const last = runs[runs.length - 1];
    if (last && last.phase === p) last.to = op;
    else runs.push({ phase: p, from: op === 1 ? 0 : op, to: op });
  });
  runs.forEach((r, i) => {
    const x0 = x(r.from);
    const w = Math.max(x(r.to + 1) - x0, 1);
    const label = `${r.phase} (${r.to - Math.max(r.from, 1) + 1} ops)`;
    out.push(
      `<g><title>${esc(`${r.phase}: operations ${Math.max(r.from, 1)}–${r.to}`)}</title>`,
      `<rect x="${n(x0)}" y="${Y.phases}" width="${n(w)}" height="${Y.phaseH}" fill="${PHASE_SHADES[i % 2]}" stroke="#bbb" stroke-width="0.5"/>`,
      `<line x1="${n(x0)}" y1="${Y.phases}" x2="${n(x0)}" y2="${Y.torn + Y.rowH}" stroke="#999" stroke-width="0.5"/>`,
      w > label.length * 6.3 + 6 ? text(x0 + 4, Y.phases + 15, label, { fill: '#333' }) : w > r.phase.length * 6.3 + 6 ? text(x0 + 4, Y.phases + 15, r.phase, { fill: '#333' }) : '',
      '</g>',
    );
  });

  // The two rows, one cell per column; a column holding several operations shows its worst point.
  for (const torn of [false, true]) {
    const y = torn ? Y.torn : Y.clean;
    const cells = new Map<number, SweepPoint[]>();
    for (const p of d.points.filter((q) => q.torn === torn)) {
      const b = Math.floor(p.op / per);
      cells.set(b, [...(cells.get(b) ?? []), p]);
    }
    for (let b = torn ? Math.floor(1 / per) : 0; b < bins; b++) {
      const ps = cells.get(b) ?? [];
      const worst = ps.reduce<SweepPoint | undefined>((a, p) => (!a || RANK[p.cls] > RANK[a.cls] ? p : a), undefined);
      const colour = CLASS_COLOURS[worst?.cls ?? 'missing'];
      const tip = ps.length === 0 ? `ops ${b * per}–${b * per + per - 1}: not run` : ps.length === 1 ? ps[0]!.text : `${ps.length} points, worst: ${worst!.text}`;
      out.push(`<rect x="${n(LEFT + b * colW)}" y="${y}" width="${n(Math.max(colW - (colW > 3 ? 0.5 : 0), 0.5))}" height="${Y.rowH}" fill="${colour}"><title>${esc(tip)}</title></rect>`);
    }
  }

  // Failing points, numbered like their fault-plan attachments.
  const failures = d.points.filter((p) => p.cls === 'failure' && p.failure !== undefined).sort((a, b) => a.failure! - b.failure!);
  const labels = failures.map((p) => `#${p.failure}`);
  const placed = failures.map((p, i) => ({ x: x(p.op) + colW / 2 - 4, w: labels[i]!.length * 6.3 + 4 }));
  const rows = placeRows(placed, 3);
  failures.forEach((p, i) => {
    const mx = x(p.op) + colW / 2;
    const ly = Y.marks + 12 + rows[i]! * 14;
    out.push(
      `<g><title>${esc(`#${p.failure}: ${p.text}`)}</title>`,
      `<path d="M${n(mx - 4)},${Y.marks} L${n(mx + 4)},${Y.marks} L${n(mx)},${Y.marks - 6} Z" fill="${CLASS_COLOURS.failure}"/>`,
      text(mx, ly, labels[i]!, { fill: CLASS_COLOURS.failure, anchor: 'middle', weight: 'bold' }),
      '</g>',
    );
  });
  if (failures.length === 0) out.push(text(LEFT, Y.marks + 12, 'no failing cut point', { fill: '#2e7d32' }));

  // Axis: operation numbers.
  out.push(`<line x1="${LEFT}" y1="${Y.axis}" x2="${W - RIGHT}" y2="${Y.axis}" stroke="#999"/>`);
  const step = niceStep(d.ops / 10);
  for (let op = 0; op <= d.ops; op += step) {
    out.push(`<line x1="${n(x(op) + colW / 2)}" y1="${Y.axis}" x2="${n(x(op) + colW / 2)}" y2="${Y.axis + 4}" stroke="#999"/>`, text(x(op) + colW / 2, Y.axis + 15, String(op), { anchor: 'middle', fill: '#666', size: 10 }));
  }
  out.push(text(W - RIGHT, Y.axis - 4, 'flash operation →', { anchor: 'end', fill: '#666', size: 10 }));

  // Legend with counts.
  const counts = new Map<PointClass | 'missing', number>();
  for (const p of d.points) counts.set(p.cls, (counts.get(p.cls) ?? 0) + 1);
  counts.set('missing', Math.max(0, d.total - d.points.length));
  let lx = LEFT;
  for (const c of ['baseline', 'candidate', 'risk', 'failure', 'missing'] as const) {
    const label = `${CLASS_NAMES[c]}: ${counts.get(c) ?? 0}`;
    out.push(`<rect x="${lx}" y="${Y.legend - 9}" width="10" height="10" fill="${CLASS_COLOURS[c]}" stroke="#999" stroke-width="0.5"/>`, text(lx + 14, Y.legend, label, { fill: '#444' }));
    lx += 30 + label.length * 6.3;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
