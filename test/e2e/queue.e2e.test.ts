/**
 * The queue in a real browser (Debian's Chromium) against browser mode over the real core: a real
 * hot folder, real generated scans, a real SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { renderPageFile } from '../fixtures/pages.js';
import { launchBrowser, openStation, screenshot } from './support/browser.js';
import { dropIntoHotFolder, startBrowserStation, type BrowserStation } from './support/station.js';
import { seedDocuments } from './support/seed.js';

let browser: Browser;
const stations: BrowserStation[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const station of stations.splice(0)) await station.stop();
});

describe('queue (browser)', () => {
  it('shows scans dropped into the hot folder live, in German, then in English when chosen', async () => {
    const station = await startBrowserStation();
    stations.push(station);
    const { page, problems, context } = await openStation(browser, station.url);

    // German by default, and an empty queue says what to do next.
    await page.locator('[data-empty="needs_review"]').waitFor();
    await expect(page.locator('nav').getByText('Neu / zu prüfen')).toBeTruthy();
    expect(await page.locator('nav').innerText()).toContain('Neu / zu prüfen');
    expect(await page.locator('[data-empty="needs_review"]').innerText()).toContain('Scanner');
    expect(await page.locator('html').getAttribute('lang')).toBe('de');

    // A marker in the page: it must survive, i.e. no reload happens while scans arrive.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const scans = await Promise.all([1, 2].map((seed) => renderPageFile({ seed, dpi: 100 }, 'jpeg')));
    dropIntoHotFolder(station, 'scan_0001.jpg', scans[0]!);
    dropIntoHotFolder(station, 'scan_0002.jpg', scans[1]!);

    const row = page.locator('.queue-row[data-document-id]').first();
    await row.waitFor({ timeout: 30_000 });
    await page.locator('.queue-row[data-state="needs_review"]').first().waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(await page.locator('.queue-row[data-document-id]').count()).toBe(1);
    expect(await row.innerText()).toContain('2 Seiten');
    expect(await row.innerText()).toContain('Nicht zugeordnet');
    await page.locator('[data-nav="/queue/needs_review"] .nav-count', { hasText: '1' }).waitFor();
    await screenshot(page, 'queue-de');

    // The whole way without a mouse: focus the list, Enter opens the document. A scan arriving on
    // top meanwhile must not move the selection to another document.
    const id = await row.getAttribute('data-document-id');
    await page.locator('.queue-list').focus();
    dropIntoHotFolder(station, 'scan_0003.jpg', await renderPageFile({ seed: 3, dpi: 100 }, 'jpeg'));
    await page.locator('.queue-row[data-document-id]').nth(1).waitFor({ timeout: 30_000 });
    expect(await page.locator('.queue-row[data-document-id]').first().getAttribute('data-document-id')).not.toBe(id);
    expect(await page.locator('.queue-row[aria-selected="true"]').getAttribute('data-document-id')).toBe(id);
    await page.keyboard.press('Enter');
    await page.waitForFunction((expected) => location.hash === `#/document/${expected}`, id);
    await page.goBack();
    await page.locator('.queue-row[data-document-id]').nth(1).waitFor();
    // Back in the queue, the selection is still on the document just opened.
    await page.locator(`.queue-row[aria-selected="true"][data-document-id="${id}"]`).waitFor();

    // English on request, kept across a reload.
    await page.locator('[data-action="settings"]').click();
    await page.getByLabel('English').check();
    await page.locator('nav').getByText('New / to review').waitFor();
    expect(await page.locator(`.queue-row[data-document-id="${id}"]`).innerText()).toContain('2 pages');
    await page.reload();
    await page.locator('nav').getByText('New / to review').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('[data-status="processing"]').innerText()).toMatch(/Processing/);

    expect(problems).toEqual([]);
    await context.close();
  });

  it('keeps 10,000 documents smooth: the list renders, scrolls to the end, and the DOM stays small', async () => {
    let ids: string[] = [];
    const station = await startBrowserStation({ seed: (dataDir) => void (ids = seedDocuments(dataDir, { count: 10_000, hotFolder: '/scanner' })) });
    stations.push(station);
    const { page, problems, context } = await openStation(browser, station.url);

    await page.locator('.screen-count[data-count="10000"]').waitFor();
    await page.locator(`.queue-row[data-document-id="${ids[0]}"]`).waitFor();
    expect(await page.locator('[data-nav="/queue/needs_review"] .nav-count').innerText()).toBe('10.000');
    const rowsAtTop = await page.locator('.queue-row').count();
    expect(rowsAtTop).toBeGreaterThan(5);
    expect(rowsAtTop).toBeLessThan(60);

    // Keyboard to the end: End jumps to the oldest document, which is fetched on demand.
    await page.locator('.queue-list').focus();
    await page.keyboard.press('End');
    const last = page.locator(`.queue-row[data-document-id="${ids[ids.length - 1]}"]`);
    await last.waitFor();
    expect(await last.getAttribute('aria-selected')).toBe('true');
    expect(await last.innerText()).toContain('Dokument 1');
    expect(await page.locator('.queue-row').count()).toBeLessThan(60);

    // Scroll by wheel through the middle: rows there load too, and the DOM stays bounded.
    await page.locator('.queue-list').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await page.locator('.queue-row[data-document-id^="seed-"]').nth(3).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.queue-row--loading').length === 0);
    const middle = await page.locator('.queue-row[data-document-id]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-index'))));
    expect(Math.min(...middle)).toBeGreaterThan(4000);
    expect(Math.max(...middle)).toBeLessThan(6000);
    expect(await page.locator('.queue-row').count()).toBeLessThan(60);

    // Arrow keys move one row at a time from the end.
    await page.locator('.queue-list').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowUp');
    expect(await page.locator(`.queue-row[data-document-id="${ids[ids.length - 2]}"]`).getAttribute('aria-selected')).toBe('true');
    await screenshot(page, 'queue-10000-de');

    expect(problems).toEqual([]);
    await context.close();
  });
});
