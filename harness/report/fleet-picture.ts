// The fleet's states over time as an SVG: one row per board, one coloured bar per state it was in
// (from its rollout history), the summary in the title. Self-contained (no scripts, no fonts
// beyond a generic family), so Allure shows it inline as the result's description.
import type { BoardRecord } from '../fleet/rollout.ts';
import type { BoardState } from '../fleet/rollout.ts';

const COLOURS: Record<BoardState, string> = {
  pending: '#d0d0d0',
  notified: '#9ecae1',
  delivering: '#4292c6',
  deferred: '#fdae6b',
  installed: '#6baed6',
  trial: '#fdd0a2',
  committed: '#31a354',
  reverted: '#969696',
  failed: '#de2d26',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderFleet(records: readonly BoardRecord[], endMs: number, title: string): string {
  const row = records.length > 40 ? 6 : 16;
  const labelW = records.length > 40 ? 0 : 130;
  const plotW = 720;
  const top = 44;
  const end = Math.max(endMs, 1);
  const x = (t: number) => labelW + (Math.min(t, end) / end) * plotW;
  const h = top + records.length * row + 46;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + plotW + 20}" height="${h}" font-family="sans-serif" font-size="11">`);
  out.push(`<text x="4" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="4" y="32" fill="#555">board states over ${(end / 1000).toFixed(1)} s of rollout, one row per board</text>`);
  records.forEach((r, i) => {
    const y = top + i * row;
    if (labelW) out.push(`<text x="4" y="${y + row - 4}">${esc(r.board)}${r.bricked ? ' ✗' : ''}</text>`);
    r.history.forEach((h, k) => {
      const to = k + 1 < r.history.length ? r.history[k + 1]!.t : end;
      const w = Math.max(x(to) - x(h.t), 1);
      out.push(`<rect x="${x(h.t).toFixed(1)}" y="${y + 1}" width="${w.toFixed(1)}" height="${row - 2}" fill="${COLOURS[h.state]}"><title>${esc(`${r.board}: ${h.state} at ${(h.t / 1000).toFixed(2)} s — ${h.why}`)}</title></rect>`);
    });
  });
  const ly = top + records.length * row + 14;
  let lx = 4;
  for (const [state, colour] of Object.entries(COLOURS)) {
    out.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${colour}"/><text x="${lx + 13}" y="${ly + 9}">${state}</text>`);
    lx += 14 + state.length * 6.5 + 10;
  }
  out.push(`<text x="4" y="${ly + 28}" fill="#555">0 s</text><text x="${labelW + plotW - 30}" y="${ly + 28}" fill="#555">${(end / 1000).toFixed(1)} s</text>`);
  out.push('</svg>');
  return out.join('\n');
}
