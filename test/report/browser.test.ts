// The report as QA sees it, in a real browser: scenarios run on two simulated rigs (one with a
// seeded bootloader bug) through `npm run scenarios`, and headless Chromium (Debian's package)
// opens the single-file report the run printed, from the file system with every request to a
// network host refused: the overview shows the release gate's verdict (as gate.json has it) and
// passed, failed and documented risks apart; a sweep's page shows its picture; the tree, the
// labels, the timeline picture (decoded, on the Overview and as an image/svg+xml attachment) and
// that a failure quotes the console lines. (The multi-file report holds the same data files; its
// generation is checked by history.test and merge.test, which read them.) Screenshots go to
// OTA_HIL_SCREENSHOTS (default reports/browser-test).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { hostname } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

const CHROMIUM = process.env.OTA_HIL_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium; or set OTA_HIL_CHROMIUM)`;

const reports = mkdtempSync(path.join(tmpdir(), 'ota-hil-browser-'));
const shots = path.resolve(process.env.OTA_HIL_SCREENSHOTS ?? 'reports/browser-test');
let launched: Promise<Browser> | undefined;
let browser: Browser | undefined;
/** What `npm run scenarios` printed as the report to open. */
let printedReport = '';

// Just what the page-side callbacks touch (the project compiles without the DOM library).
interface Img {
  naturalWidth: number;
  naturalHeight: number;
  decode(): Promise<void>;
}
interface MetadataItem {
  querySelector(selector: string): { textContent: string | null } | null;
}

interface ReportResult {
  id: string;
  name: string;
  status: string;
  labels: { name: string; value: string }[];
}

/** The printed report's results: its data files are in the page, base64-encoded, by path. */
let results: ReportResult[] | undefined;
function reportResult(name: string, board: string): ReportResult {
  results ??= [...readFileSync(printedReport, 'utf8').matchAll(/"data\/test-results\/[0-9a-f]+\.json","([A-Za-z0-9+/=]+)"/g)].map((m) => JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as ReportResult);
  const all = results;
  const r = all.find((x) => x.name === name && x.labels.some((l) => l.name === 'board' && l.value === board));
  assert.ok(r, `no "${name}" on ${board} in the report (${all.map((x) => x.name).join(', ')})`);
  return r;
}

/** Width × height once decoded; 0 × 0 when the browser cannot decode it (a broken SVG). */
function decodedSize(img: Locator): Promise<number[]> {
  return img.evaluate(async (el: Img) => {
    await el.decode().catch(() => undefined);
    return [el.naturalWidth, el.naturalHeight];
  });
}

/** `node harness/cli/scenarios.mjs ...args` (npm run scenarios), its output. */
function scenarios(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  const p = spawn(process.execPath, ['harness/cli/scenarios.mjs', ...args], { env, timeout: 400_000 });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => p.on('close', () => resolve({ stdout, stderr })));
}

before(async () => {
  if (skip) return;
  // Chromium starts while the scenarios run.
  launched = chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  const rig = JSON.parse(readFileSync('rigs/sim.json', 'utf8')) as { name: string; $schema?: string; boards: Record<string, unknown>[] };
  delete rig.$schema;
  const board = rig.boards.find((b) => b.stack === 'mcuboot')!;
  const mutant = { ...rig, name: 'sim-mutant', boards: [{ ...board, name: 'mcuboot-m', sim: { ...(board.sim as object), mutant: 'swap-not-resumed' } }] };
  const mutantFile = path.join(reports, 'mutant.json');
  writeFileSync(mutantFile, JSON.stringify(mutant));
  // particle-1 (its cut mid-copy ends in safe mode: a documented risk) and the mutant MCUboot
  // board, whose sweep stops after a few failing points (a full MCUboot sweep takes a while here).
  const projects = ['sim/particle-1', 'sim-mutant/mcuboot-m'].flatMap((p) => ['--project', p]);
  const run = await scenarios([...projects, '-g', 'cut at 50%|cut 40 ms|every cut point of an update and its commit', 'scenarios/power-loss-', 'scenarios/sweep.spec.ts'], {
    ...process.env,
    OTA_HIL_RIG: `rigs/sim.json,${mutantFile}`,
    OTA_HIL_REPORTS: reports,
    OTA_HIL_SWEEP_STOP_AFTER: '3',
    CI: '',
  });
  browser = await launched;
  // The mutant's swap scenario and its sweep fail; particle-1's cut mid-copy is a documented risk.
  assert.match(run.stdout, /2 failed/, `the mutant must fail its swap scenario and its sweep:\n${run.stdout}\n${run.stderr}`);
  printedReport = /^Allure report: (\S+\.html)/m.exec(run.stdout)?.[1] ?? '';
  assert.ok(printedReport && existsSync(printedReport), `the run printed no report file:\n${run.stdout}`);
  mkdirSync(shots, { recursive: true });
});

/** A page on which every request to a network host is refused and recorded: the report must not need one. */
async function offlinePage(): Promise<{ page: Page; refused: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
  const refused: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (/^(file|data|blob|about):/.test(url)) return route.continue();
    refused.push(url);
    return route.abort();
  });
  return { page, refused };
}

/** The printed report (one file of several MB) is loaded once; its overview and result pages are
 * reached by their # route, as a reader clicks through it. */
let printed: { page: Page; refused: string[] } | undefined;

/** The printed report's overview, or one result's page. */
async function openPrinted(result?: ReportResult): Promise<Page> {
  printed ??= await offlinePage();
  const { page } = printed;
  await page.goto(`${pathToFileURL(path.resolve(printedReport)).href}#${result?.id ?? ''}`);
  if (result) await page.getByTestId('test-result-info-title').filter({ hasText: result.name }).waitFor({ timeout: 30_000 });
  else await page.getByTestId('report-variables').waitFor({ timeout: 30_000 });
  return page;
}

interface GateJson {
  candidates: { summary: string; counts: { passed: number; failed: number; risks: number; notApplicable: number }; risks: { board: string; scenario: string }[] }[];
}

void test('the report the run printed opens from the file system, without any request to a network host', { skip }, async () => {
  const page = await openPrinted();
  await page.getByText('ota-hil').first().waitFor();
  assert.equal(await page.getByText('Results').count() > 0, true);
  assert.deepEqual(printed!.refused, [], 'requests to network hosts');
});

void test('the overview shows the gate verdict, and passed, failed and documented risks apart', { skip }, async () => {
  const gate = JSON.parse(readFileSync(path.join(reports, 'gate.json'), 'utf8')) as GateJson;
  const c = gate.candidates[0]!;
  assert.ok(c.counts.risks >= 2 && c.counts.failed === 2 && c.counts.passed >= 1, JSON.stringify(c.counts));
  const page = await openPrinted();
  const vars = await page.getByTestId('report-variables').innerText();
  assert.ok(vars.includes(c.summary.replace(/^[^:]*: /, '')), `the overview's verdict is the gate's:\n${vars}\n${c.summary}`);
  for (const [k, v] of [['passed', c.counts.passed], ['failed', c.counts.failed], ['not applicable', c.counts.notApplicable]] as const) assert.match(vars, new RegExp(`${k}\\s+${v}\\b`), vars);
  assert.match(vars, new RegExp(`documented risks\\s+${c.counts.risks} \\(${c.counts.risks} accepted`), vars);
  const metadata = await page.locator('body').innerText();
  assert.match(metadata, new RegExp(`rig host\\s+${hostname()}`), 'the rig host in the environment');
  assert.match(metadata, /commit\s+[0-9a-f]{7}/);
  await page.screenshot({ path: path.join(shots, 'overview.png') });
  await page.getByText('Categories', { exact: false }).first().click();
  const body = page.locator('body');
  await page.getByText('Documented risks').first().waitFor();
  const text = await body.innerText();
  const count = (name: RegExp) => Number(new RegExp(`${name.source}[^\\n]*\\n(\\d+)`).exec(text)?.[1]);
  assert.equal(count(/Failed/), c.counts.failed, text);
  assert.equal(count(/Documented risks: passed as the stack documents, not as safe/), c.counts.risks, text);
  assert.equal(count(/\nPassed/), c.counts.passed, text);
  for (const k of c.risks) assert.ok(text.includes(k.board.split('/')[1]!), `risk board ${k.board} listed`);
  await page.screenshot({ path: path.join(shots, 'categories.png'), fullPage: true });
  process.stdout.write(`# screenshots: ${shots}/overview.png (the verdict and counts), ${shots}/categories.png (passed, failed, documented risks apart)\n`);
  assert.deepEqual(printed!.refused, [], 'requests to network hosts');
});

void test('a sweep page shows its picture: cut points by phase, clean and torn, coloured by outcome; failing points numbered with their fault plans', { skip }, async () => {
  const risky = reportResult('every cut point of an update and its commit ends as the stack promises', 'particle-1');
  const failing = reportResult('every cut point of an update and its commit ends as the stack promises', 'mcuboot-m');
  for (const [r, file] of [[risky, 'sweep-risk.png'], [failing, 'sweep-failing.png']] as const) {
    const page = await openPrinted(r);
    const frame = page.frameLocator('[data-testid="test-result-description-frame"]');
    const sweep = frame.locator('img[alt="sweep.svg"]');
    const [w = 0, h = 0] = await decodedSize(sweep);
    assert.ok(w >= 900 && h >= 200, `the sweep picture on the Overview is ${w}x${h}`);
    assert.ok((await decodedSize(frame.locator('img').last()))[0]! >= 900, 'the timeline follows it');
    await page.screenshot({ path: path.join(shots, file), fullPage: true });
  }
  const page = await openPrinted(risky);
  assert.match(await page.frameLocator('[data-testid="test-result-description-frame"]').locator('body').innerText(), /documented risk \(documented-risk\): particle: /);
  assert.deepEqual(printed!.refused, [], 'requests to network hosts');
  // The pictures themselves: phases on the operation axis, both rows, the legend's counts; the mutant's failures numbered.
  const svgs = attachments('sweep.svg');
  const particle = svgs.find((s) => s.includes('particle-1'))!;
  assert.match(particle, /download \(\d+ ops\)|>download</);
  assert.match(particle, />clean cut<[^]*>torn cut</);
  assert.match(particle, /documented risk: [1-9]\d*/);
  const mutant = svgs.find((s) => s.includes('mcuboot-m'))!;
  assert.match(mutant, />#1</);
  assert.match(mutant, /failure: [1-9]\d*/);
  assert.ok(attachmentNames().some((n) => /^fault-plan #1 \(/.test(n)), 'the first failing point\'s fault plan is attached');
  assert.ok(attachmentNames().includes('sweep-summary.csv'), 'the phase table is a CSV table attachment');
  process.stdout.write(`# screenshots: ${shots}/sweep-risk.png (particle-1: documented safe-mode points), ${shots}/sweep-failing.png (mcuboot-m: failing points numbered)\n`);
});

/** Attachments named `name` in the run's allure-results, as text. */
function attachments(name: string): string[] {
  const dir = path.join(reports, 'allure-results');
  const out: string[] = [];
  walkResults((a) => {
    if (a.name === name) out.push(readFileSync(path.join(dir, a.source), 'utf8'));
  });
  return out;
}

function attachmentNames(): string[] {
  const out: string[] = [];
  walkResults((a) => out.push(a.name));
  return out;
}

function walkResults(fn: (a: { name: string; source: string }) => void): void {
  const dir = path.join(reports, 'allure-results');
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as { name?: unknown; source?: unknown };
      if (typeof o.name === 'string' && typeof o.source === 'string') fn({ name: o.name, source: o.source });
      Object.values(node).forEach(walk);
    }
  };
  for (const f of readdirSync(dir).filter((n) => n.endsWith('-result.json'))) walk(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
}

after(async () => {
  await printed?.page.close();
  await (browser ?? (await launched?.catch(() => undefined)))?.close();
});

void test('the tree holds every scenario under rig and board', { skip }, async () => {
  const page = await openPrinted();
  await page.getByTestId('tree-section-title').first().waitFor();
  // Open every closed group until none is left (the tree starts collapsed when all is green).
  for (let i = 0; i < 50; i++) {
    const closed = page.getByTestId('tree-arrow').filter({ has: page.locator('svg:not([class*="opened"])') });
    if ((await closed.count()) === 0) break;
    await closed.first().click();
  }
  const sections = await page.getByTestId('tree-section-title').allInnerTexts();
  for (const s of ['sim', 'particle-1', 'sim-mutant', 'mcuboot-m', 'power loss during the download', 'power loss during the swap']) assert.ok(sections.includes(s), `no group "${s}" in ${sections.join(', ')}`);
  const leaves = await page.getByTestId('tree-leaf-title').allInnerTexts();
  assert.equal(leaves.filter((l) => l === 'cut at 50% keeps the baseline').length, 2, leaves.join(', '));
  assert.equal(leaves.filter((l) => l === 'cut 40 ms into the swap').length, 2, leaves.join(', '));
});

void test('a result shows its rig, board, stack, transport, versions and fault plan', { skip }, async () => {
  const page = await openPrinted(reportResult('cut at 50% keeps the baseline', 'mcuboot-m'));
  const showMore = page.getByText('Show more');
  if (await showMore.count()) await showMore.first().click();
  const items = await page.getByTestId('metadata-item').evaluateAll((xs: MetadataItem[]) =>
    xs.map((x): [string, string] => [x.querySelector('[data-testid="metadata-item-key"]')?.textContent ?? '', x.querySelector('[data-testid="metadata-item-value"]')?.textContent ?? '']),
  );
  const shown = new Map(items.map(([k, v]) => [k, v]));
  const expected = { rig: 'sim-mutant', board: 'mcuboot-m', stack: 'mcuboot', transport: 'http-pull', baseline: '1.0.0', candidate: '1.1.0', fault: 'power cut at 50% of the download', firmware: '1.0.0 → 1.1.0' };
  for (const [k, v] of Object.entries(expected)) assert.equal(shown.get(k), v, `label ${k} in ${JSON.stringify([...shown])}`);
  assert.ok(!shown.has('thread') && !shown.has('titlePath'), 'runner noise is hidden');
});

void test('the timeline picture is on the Overview and attached as image/svg+xml, and it decodes', { skip }, async () => {
  const page = await openPrinted(reportResult('cut at 50% keeps the baseline', 'mcuboot-m'));
  const overview = page.frameLocator('[data-testid="test-result-description-frame"]').locator('img');
  const [w = 0, h = 0] = await decodedSize(overview);
  assert.ok(w >= 900 && h >= 300, `timeline on the Overview is ${w}x${h}: not a decoded SVG`);

  await page.getByTestId('test-result-tab-attachments').click();
  const row = page.getByTestId('test-result-attachment').filter({ hasText: 'timeline.svg' });
  assert.match(await row.innerText(), /image\/svg\+xml/);
  await row.getByText('timeline.svg').click();
  const img = row.locator('img');
  await img.waitFor();
  assert.ok((await decodedSize(img))[0]! >= 900, 'the attachment does not decode as an image');
  for (const name of ['console.log', 'console.raw', 'boots.json']) assert.equal(await page.getByTestId('test-result-attachment').filter({ hasText: name }).count(), 1, `${name} attached`);
});

void test('a failed scenario shows what was expected, what booted and the console lines that decided it', { skip }, async () => {
  const r = reportResult('cut 40 ms into the swap', 'mcuboot-m');
  assert.equal(r.status, 'failed');
  const page = await openPrinted(r);
  await page.getByTestId('test-result-status-failed').first().waitFor();
  const text = await page.locator('body').innerText();
  assert.match(text, /expected mcuboot-m to boot 1\.1\.0 \(event swap-resumed\); it booted /);
  assert.match(text, /\n\s+\d+\.\d{3}s {2}\S.*\n/, 'a quoted console line with its timestamp');
  assert.match(text, /verdict: expected mcuboot-m to boot 1\.1\.0 \(event swap-resumed\)/, 'the verdict step');
});

void test('console.raw holds the bytes the board sent, as sent (CR LF and all)', { skip }, () => {
  const dir = path.join(reports, 'allure-results');
  const found: { name: string; source: string }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as { name?: unknown; source?: unknown };
      if (o.name === 'console.raw' && typeof o.source === 'string') found.push({ name: o.name, source: o.source });
      Object.values(node).forEach(walk);
    }
  };
  for (const f of readdirSync(dir).filter((n) => n.endsWith('-result.json'))) {
    const r = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { name: string };
    if (r.name.includes('cut at 50%')) walk(r);
  }
  // One result per board the filter picked (particle-1 and mcuboot-m), each with its own bytes.
  assert.equal(found.length, 2, 'a console.raw attachment on each result');
  for (const { source } of found.filter((f) => !readFileSync(path.join(dir, f.source)).includes('pbl:'))) {
    const raw = readFileSync(path.join(dir, source)).toString('latin1');
    assert.match(raw, /(?:I: |<inf> mcuboot: )Starting bootloader\r\n/); // mcuboot-1 logs in Zephyr's full format
    assert.doesNotMatch(raw, /## install/, 'harness notes are not console bytes');
  }
});
