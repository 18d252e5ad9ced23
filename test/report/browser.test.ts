// The report as QA sees it, in a real browser: scenarios run on two simulated rigs (one with a
// seeded bootloader bug), the Allure report is generated and served over loopback, and headless
// Chromium (Debian's package) checks the tree, the labels, the timeline picture (decoded, on the
// Overview and as an image/svg+xml attachment) and that a failure quotes the console lines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { generateAllureReport } from '../../harness/report/allure-generate.ts';
import { serveDir } from './static-server.ts';

const CHROMIUM = process.env.OTA_HIL_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium; or set OTA_HIL_CHROMIUM)`;

const reports = mkdtempSync(path.join(tmpdir(), 'ota-hil-browser-'));
let browser: Browser | undefined;
let server: Awaited<ReturnType<typeof serveDir>> | undefined;

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

function reportResult(name: string, board: string): ReportResult {
  const dir = path.join(reports, 'allure-report', 'data', 'test-results');
  const all = readdirSync(dir).map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ReportResult);
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

async function openResult(page: Page, r: ReportResult): Promise<void> {
  await page.goto(`${server!.url}#${r.id}`);
  await page.getByTestId('test-result-info-title').filter({ hasText: r.name }).waitFor();
}

before(async () => {
  if (skip) return;
  const rig = JSON.parse(readFileSync('rigs/sim.json', 'utf8')) as { name: string; $schema?: string; boards: Record<string, unknown>[] };
  delete rig.$schema;
  const board = rig.boards.find((b) => b.stack === 'mcuboot')!;
  const mutant = { ...rig, name: 'sim-mutant', boards: [{ ...board, name: 'mcuboot-m', sim: { ...(board.sim as object), mutant: 'swap-not-resumed' } }] };
  const mutantFile = path.join(reports, 'mutant.json');
  writeFileSync(mutantFile, JSON.stringify(mutant));
  const run = spawnSync('npx', ['playwright', 'test', '-g', 'cut at 50%|cut 40 ms'], {
    encoding: 'utf8',
    env: { ...process.env, OTA_HIL_RIG: `rigs/sim.json,${mutantFile}`, OTA_HIL_REPORTS: reports, OTA_HIL_BOARDS: 'stack=mcuboot', CI: '' },
    timeout: 180_000,
  });
  assert.match(run.stdout, /1 failed/, `the mutant must fail its swap scenario:\n${run.stdout}\n${run.stderr}`);
  const gen = generateAllureReport(reports);
  assert.ok(gen.ok, gen.stderr);
  process.stdout.write(`# Allure report generated in ${(gen.ms / 1000).toFixed(1)} s\n`);
  server = await serveDir(gen.report);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

void test('the tree holds every scenario under rig and board', { skip }, async () => {
  const page = await browser!.newPage();
  await page.goto(server!.url);
  await page.getByTestId('tree-section-title').first().waitFor();
  // Open every closed group until none is left (the tree starts collapsed when all is green).
  for (let i = 0; i < 50; i++) {
    const closed = page.getByTestId('tree-arrow').filter({ has: page.locator('svg:not([class*="opened"])') });
    if ((await closed.count()) === 0) break;
    await closed.first().click();
  }
  const sections = await page.getByTestId('tree-section-title').allInnerTexts();
  for (const s of ['sim', 'mcuboot-1', 'sim-mutant', 'mcuboot-m', 'power loss during the download', 'power loss during the swap']) assert.ok(sections.includes(s), `no group "${s}" in ${sections.join(', ')}`);
  const leaves = await page.getByTestId('tree-leaf-title').allInnerTexts();
  assert.equal(leaves.filter((l) => l === 'cut at 50% keeps the baseline').length, 2, leaves.join(', '));
  assert.equal(leaves.filter((l) => l === 'cut 40 ms into the swap').length, 2, leaves.join(', '));
  await page.close();
});

void test('a result shows its rig, board, stack, transport, versions and fault plan', { skip }, async () => {
  const page = await browser!.newPage();
  await openResult(page, reportResult('cut at 50% keeps the baseline', 'mcuboot-1'));
  const showMore = page.getByText('Show more');
  if (await showMore.count()) await showMore.first().click();
  const items = await page.getByTestId('metadata-item').evaluateAll((xs: MetadataItem[]) =>
    xs.map((x): [string, string] => [x.querySelector('[data-testid="metadata-item-key"]')?.textContent ?? '', x.querySelector('[data-testid="metadata-item-value"]')?.textContent ?? '']),
  );
  const shown = new Map(items.map(([k, v]) => [k, v]));
  const expected = { rig: 'sim', board: 'mcuboot-1', stack: 'mcuboot', transport: 'http-pull', baseline: '1.0.0', candidate: '1.1.0', fault: 'power cut at 50% of the download', firmware: '1.0.0 → 1.1.0' };
  for (const [k, v] of Object.entries(expected)) assert.equal(shown.get(k), v, `label ${k} in ${JSON.stringify([...shown])}`);
  assert.ok(!shown.has('thread') && !shown.has('titlePath'), 'runner noise is hidden');
  await page.close();
});

void test('the timeline picture is on the Overview and attached as image/svg+xml, and it decodes', { skip }, async () => {
  const page = await browser!.newPage();
  await openResult(page, reportResult('cut at 50% keeps the baseline', 'mcuboot-1'));
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
  await page.close();
});

void test('a failed scenario shows what was expected, what booted and the console lines that decided it', { skip }, async () => {
  const r = reportResult('cut 40 ms into the swap', 'mcuboot-m');
  assert.equal(r.status, 'failed');
  const page = await browser!.newPage();
  await openResult(page, r);
  await page.getByTestId('test-result-status-failed').first().waitFor();
  const text = await page.locator('body').innerText();
  assert.match(text, /expected mcuboot-m to boot 1\.1\.0 \(event swap-resumed\); it booted /);
  assert.match(text, /\n\s+\d+\.\d{3}s {2}\S.*\n/, 'a quoted console line with its timestamp');
  assert.match(text, /verdict: expected mcuboot-m to boot 1\.1\.0 \(event swap-resumed\)/, 'the verdict step');
  await page.close();
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
  // One result per board the filter picked (mcuboot-1 and mcuboot-m), each with its own bytes.
  assert.equal(found.length, 2, 'a console.raw attachment on each result');
  for (const { source } of found) {
    const raw = readFileSync(path.join(dir, source)).toString('latin1');
    assert.match(raw, /(?:I: |<inf> mcuboot: )Starting bootloader\r\n/); // mcuboot-1 logs in Zephyr's full format
    assert.doesNotMatch(raw, /## install/, 'harness notes are not console bytes');
  }
});
