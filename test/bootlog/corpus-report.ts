// `npm run corpus`: per stack and per format, logs, labelled fields and fields right, then every
// miss with its reason from misses.json (or UNLISTED), crashes and auto-detection slips.
import { loadCorpus, loadListedMisses, pct, score, tally, type Tally } from './corpus-score.ts';

const scored = loadCorpus().map(score);
const listed = loadListedMisses();

function row(name: string, t: Tally): string {
  return `  ${name.padEnd(22)} ${String(t.logs).padStart(5)} ${String(t.fields).padStart(7)} ${String(t.right).padStart(7)} ${pct(t).toFixed(1).padStart(7)}%`;
}
const head = `  ${''.padEnd(22)} ${'logs'.padStart(5)} ${'fields'.padStart(7)} ${'right'.padStart(7)} ${'score'.padStart(8)}`;

const out: string[] = [`corpus: ${scored.length} logs`, '', 'per stack', head];
for (const [k, t] of tally(scored, (s) => [s.entry.side.stack])) out.push(row(k, t));
const all = tally(scored, () => ['all']).get('all');
if (all) out.push(row('all', all));
out.push('', 'per format', head);
for (const [k, t] of tally(scored, (s) => (s.entry.side.format.length ? s.entry.side.format : ['(none)']))) out.push(row(k, t));

const misses = scored.flatMap((s) => s.misses);
out.push('', `misses: ${misses.length}`);
for (const m of misses) {
  const why = listed.find((l) => l.id === m.id && l.field === m.field)?.reason ?? 'UNLISTED (no reason in misses.json)';
  out.push(`  ${m.id} ${m.field}: label ${JSON.stringify(m.want)}, parser ${JSON.stringify(m.got)} — ${why}`);
}
const crashes = scored.filter((s) => s.crash);
out.push('', `crashes: ${crashes.length}`);
for (const s of crashes) out.push(`  ${s.entry.id}: ${s.crash?.split('\n').slice(0, 3).join(' | ')}`);
const slips = scored.filter((s) => s.detected !== s.entry.side.stack);
out.push('', `auto-detect picks another stack: ${slips.length}`);
for (const s of slips) out.push(`  ${s.entry.id}: detected ${s.detected ?? 'none'}`);
process.stdout.write(out.join('\n') + '\n');
