// Opens the rendered reports in a real headless Chromium: the verdict table must be there, every chart
// image must have decoded (non-zero natural size), and the page must log no error (a CSP violation or a
// broken data: URI would). Screenshots are kept in test-artifacts/ for people to look at.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeComparison } from '../../harness/report/compare.ts';
import { writeReports } from '../../harness/report/write-reports.ts';
import { REPO_ROOT } from '../../harness/paths.ts';
import { makeLeakyRecord, makePassingRecord } from '../fixtures/run-records.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

let dir: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install the Debian package (apt-get install -y chromium); npm run bootstrap does it.`);
  dir = await mkdtemp(join(tmpdir(), 'rushgate-report-browser-'));
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1320, height: 900 } });
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()}`));
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  return { page, errors };
}

async function images(page: Page) {
  return page.$$eval('img', (imgs) => imgs.map((img) => ({ alt: img.alt, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight })));
}

describe('report.html in headless Chromium', () => {
  it('shows the verdict table and every chart, with no console errors', async () => {
    const record = makeLeakyRecord({ fault: true, integrity: true });
    const out = join(dir, 'leaky');
    await writeReports(record, out, { githubStepSummary: false });
    const { page, errors } = await open(join(out, 'report.html'));

    const verdict = page.locator('table#verdict');
    await expect(verdict.isVisible()).resolves.toBe(true);
    expect(await verdict.locator('tbody tr').count()).toBe(record.verdict.rules.length);
    expect(await verdict.locator('tbody tr.fail').count()).toBe(7);
    expect(await verdict.locator('tbody tr').first().locator('td').nth(4).innerText()).toBe(record.verdict.rules[0]!.message);
    expect(await page.locator('h1 .badge').innerText()).toBe('FAILED');
    expect(await page.locator('table#integrity').innerText()).toContain('37 left waiting');

    const imgs = await images(page);
    expect(imgs.map((i) => i.alt)).toEqual([
      'Connections and channels against load',
      'Latency percentiles over time',
      'Status codes per second',
      'Connection churn',
      'Dropped requests',
    ]);
    for (const img of imgs) expect(img, img.alt).toMatchObject({ complete: true, width: 1200, height: 460 });

    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the leaky and shared runs on one comparison page', async () => {
    const out = join(dir, 'compare');
    await writeComparison(
      [
        { label: 'leaky (the incident)', record: makeLeakyRecord() },
        { label: 'shared (the fix)', record: makePassingRecord() },
      ],
      out,
    );
    const { page, errors } = await open(join(out, 'compare.html'));
    expect(await page.locator('table#comparison thead th').allInnerTexts()).toEqual(['', 'leaky (the incident) FAILED', 'shared (the fix) PASSED']);
    expect(await page.locator('table#verdict-1 tbody tr').count()).toBe(8);
    expect(await page.locator('table#verdict-2 tbody tr.fail').count()).toBe(0);
    const imgs = await images(page);
    expect(imgs).toHaveLength(4);
    for (const img of imgs) expect(img.width, img.alt).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'compare.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
