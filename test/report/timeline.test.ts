// The timeline picture from hand-made board logs: the cut is drawn where it happened and says
// where it hit, each boot shows slot, version and event, and the SVG is well-formed text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTimeline, placeRows, niceStep, pct, esc, type TimelineData } from '../../harness/report/timeline.ts';
import { collectTimeline, powerSpans, describeCut, type TimelineSources } from '../../harness/report/timeline-collect.ts';
import type { Boot } from '../../harness/bootlog/boot.ts';
import type { OtaSample } from '../../harness/report/ota-progress.ts';

const boot = (over: Partial<Boot>): Boot => ({
  index: 0, slot: 'primary', event: 'normal', version: '1.0.0', startLine: 0, endLine: 1, evidence: [], complete: true, notes: [], ...over,
});
const sample = (t: number, bytes: number, phase: OtaSample['phase'], cut?: true): OtaSample => ({
  t, delivery: 0, image: 'candidate 1.1.0', bytes, total: 1000, phase, ...(cut ? { cut } : {}),
});

/** A download cut at 50%, then the baseline boots again. */
function cutAtHalf(): TimelineSources {
  return {
    board: 'mcuboot-1',
    faults: ['cut at 50% of download'],
    versions: { baseline: '1.0.0', candidate: '1.1.0' },
    events: [
      { t: 0, atLine: 0, text: 'install baseline 1.0.0 (sim-flash)' },
      { t: 1, atLine: 0, text: 'power off' },
      { t: 2, atLine: 0, text: 'power on' },
      { t: 300, atLine: 2, text: 'ota: serving candidate 1.1.0 (1000 bytes) at http://127.0.0.1:1/fw/1/c.bin' },
      { t: 301, atLine: 2, text: '> ota http://127.0.0.1:1/fw/1/c.bin' },
      { t: 500, atLine: 2, text: 'power off' },
      { t: 600, atLine: 2, text: 'power on' },
      { t: 900, atLine: 4, text: 'verdict: pass — expected mcuboot-1 to boot 1.0.0 (event normal); booted 1.0.0 from primary (event normal)' },
    ],
    lines: [
      { n: 0, t: 10, text: '*** Booting Zephyr OS ***' },
      { n: 1, t: 200, text: 'app: 1.0.0 running' },
      { n: 2, t: 610, text: '*** Booting Zephyr OS ***' },
      { n: 3, t: 800, text: 'app: 1.0.0 running' },
    ],
    boots: [boot({ startLine: 0, endLine: 1 }), boot({ index: 1, startLine: 2, endLine: 3 })],
    ota: [sample(300, 0, 'waiting'), sample(320, 100, 'transferring'), sample(490, 500, 'transferring'), sample(495, 500, 'transferring', true), sample(505, 500, 'failed')],
    endMs: 1000,
  };
}

void test('power bands follow the harness notes, unknown before the first', () => {
  const spans = powerSpans(cutAtHalf().events, 1000);
  assert.deepEqual(spans.map((s) => [s.from, s.to, s.state]), [[0, 1, 'unknown'], [1, 2, 'off'], [2, 500, 'on'], [500, 600, 'off'], [600, 1000, 'on']]);
});

void test('the cut says where it hit the download, from the sample taken at the cut', () => {
  const data = collectTimeline(cutAtHalf());
  const cuts = data.marks.filter((m) => m.kind === 'cut');
  assert.equal(cuts.length, 1, 'the power-off to install is no cut');
  assert.equal(cuts[0]!.t, 500);
  assert.equal(cuts[0]!.text, 'power cut at 50% of candidate 1.1.0 (500/1000 B)');
});

void test('a cut with no download in flight says which console line it followed', () => {
  const lines = [{ n: 0, t: 100, text: 'I: Starting swap using scratch algorithm.' }];
  assert.equal(describeCut(140, -Infinity, [sample(50, 1000, 'delivered')], lines), 'power cut 40 ms after "I: Starting swap using scratch algorithm."');
  assert.equal(describeCut(140, 120, [], lines), 'power cut', 'a line before the previous cut is not quoted');
});

void test('the download curve runs from the request to its end, not beyond', () => {
  const src = cutAtHalf();
  const [d] = collectTimeline({ ...src, ota: [...src.ota, sample(700, 500, 'failed', true)] }).downloads;
  assert.equal(d!.outcome, 'failed');
  assert.deepEqual(d!.points.map((p) => [p.t, p.fraction]), [[300, 0], [320, 0.1], [490, 0.5], [495, 0.5], [505, 0.5]]);
});

void test('title carries board and fault plan; subtitle the versions; verdicts are short marks', () => {
  const data = collectTimeline(cutAtHalf());
  assert.equal(data.title, 'mcuboot-1 · cut at 50% of download');
  assert.equal(data.subtitle, 'baseline 1.0.0 → candidate 1.1.0');
  assert.deepEqual(data.marks.find((m) => m.kind === 'verdict-pass')?.text, '✓ 1.0.0 (event normal)');
  const failed = collectTimeline({ ...cutAtHalf(), events: [{ t: 5, atLine: 0, text: 'verdict: FAIL — expected b to boot 1.1.0 (event swap-resumed); booted nothing (event brick)' }] });
  assert.deepEqual(failed.marks, [{ t: 5, kind: 'verdict-fail', text: '✗ expected 1.1.0 (event swap-resumed)' }]);
  assert.equal(data.marks.some((m) => m.text.startsWith('>')), false, 'console commands are not marks');
});

void test('the SVG draws the cut line at its time, each boot with slot, version and event', () => {
  const svg = renderTimeline(collectTimeline(cutAtHalf()));
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  // x = 96 + t/end * 888: the cut at 500 of 1000 ms is at 540.
  assert.match(svg, /<line x1="540" y1="\d+" x2="540" y2="\d+" stroke="#c62828" stroke-width="1.5" stroke-dasharray="5,3"\/>/);
  assert.equal((svg.match(/>1\.0\.0 · primary · normal</g) ?? []).length, 2);
  assert.match(svg, /power cut at 50% of candidate 1\.1\.0/);
  assert.match(svg, /<polyline points="[^"]+" fill="none" stroke="#c62828"/, 'a failed download is drawn red');
  assert.match(svg, /✗ 50%/);
  assert.match(svg, /mcuboot-1 · cut at 50% of download/);
});

void test('the SVG is well-formed: tags balance and text is escaped', () => {
  const data: TimelineData = {
    title: 'b<1> & "q"',
    endMs: 10,
    power: [],
    downloads: [],
    boots: [{ from: 1, to: 2, slot: null, version: null, event: 'brick', complete: false }],
    marks: [{ t: 3, kind: 'note', text: 'ignored' }, { t: 4, kind: 'commit', text: 'commit: <confirm> \u0007' }],
  };
  const svg = renderTimeline(data);
  assert.ok(svg.includes('b&lt;1&gt; &amp; &quot;q&quot;'));
  assert.ok(svg.includes('commit: &lt;confirm&gt; '), 'control characters dropped');
  assert.doesNotMatch(svg, /[\u0000-\u0008]/);
  for (const tag of ['svg', 'g', 'text', 'title']) {
    const open = (svg.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length;
    const close = (svg.match(new RegExp(`</${tag}>`, 'g')) ?? []).length;
    assert.equal(open, close, `<${tag}> opened ${open}, closed ${close}`);
  }
  assert.match(svg, />BRICK · \? · brick \(cut short\)</);
  assert.match(svg, /no OTA delivery/);
  assert.doesNotMatch(svg, /ignored/, 'notes are not drawn');
});

void test('the picture starts just before the first event, not at the console opening', () => {
  const src = cutAtHalf();
  const late = { ...src, events: src.events.map((e) => ({ ...e, t: e.t + 1000 })), lines: src.lines.map((l) => ({ ...l, t: l.t + 1000 })), ota: src.ota.map((o) => ({ ...o, t: o.t + 1000 })), endMs: 2000 };
  const data = collectTimeline(late);
  assert.equal(data.startMs, 1000 - 1000 * 0.02);
  const svg = renderTimeline(data);
  assert.doesNotMatch(svg, />0\.0 s</, 'no tick at 0 s');
  assert.match(svg, />1\.0 s</);
  // The cut at 1500 ms of the window 980..2000 ms: x = 96 + 520/1020 * 888.
  assert.match(svg, new RegExp(`<line x1="${Math.round((96 + (520 / 1020) * 888) * 10) / 10}" y1="\\d+" x2="[\\d.]+" y2="\\d+" stroke="#c62828"`));
});

void test('labels that would overlap go to another row', () => {
  assert.deepEqual(placeRows([{ x: 0, w: 100 }, { x: 50, w: 100 }, { x: 120, w: 10 }, { x: 200, w: 10 }], 2), [0, 1, 0, 0]);
  assert.deepEqual(placeRows([{ x: 0, w: 100 }, { x: 1, w: 100 }, { x: 2, w: 100 }], 2), [0, 1, 0], 'out of rows: the least crowded');
});

void test('axis steps, percentages and escaping', () => {
  assert.deepEqual([0.3, 7, 13, 120, 4000].map(niceStep), [1, 10, 20, 200, 5000]);
  assert.deepEqual([0.5, 0.05, 0.99, 0.0512, 1].map(pct), ['50%', '5%', '99%', '5.1%', '100%']);
  assert.equal(esc(`<a href='x'>&</a>`), '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;');
});

void test('where events crowd (a sweep recording, many boots in a second), labels never overprint: the rest keep tooltips', () => {
  const boots = Array.from({ length: 30 }, (_, i) => ({ from: 100 + i * 20, to: 110 + i * 20, slot: 'primary', version: '1.0.0', event: 'normal' as const, complete: true }));
  const marks = Array.from({ length: 40 }, (_, i) => ({ t: 100 + i * 15, kind: 'cut' as const, text: `power cut ${i}` }));
  const svg = renderTimeline({ title: 'crowded', endMs: 20_000, power: [], downloads: [], boots, marks });
  const labels = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"[^>]*>(power cut \d+|1\.0\.0 · [^<]*)<\/text>/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), w: m[3]!.length * 6.3 }));
  assert.ok(labels.length > 0 && labels.length < boots.length + marks.length, `${labels.length} labels drawn`);
  for (const a of labels) for (const b of labels) if (a !== b && a.y === b.y) assert.ok(a.x + a.w <= b.x || b.x + b.w <= a.x, `labels overlap at y=${a.y}: x=${a.x} and x=${b.x}`);
  assert.equal((svg.match(/<title>boot \d+:/g) ?? []).length, 30, 'every boot keeps its tooltip');
  assert.match(svg, /\d+ label\(s\) left out where events crowd/);
});
