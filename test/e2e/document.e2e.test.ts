/**
 * The document view and assignment in a real browser (Debian's Chromium) against browser mode over
 * the real core: scans dropped into a real hot folder, a real SQLite file, the default outbox. The
 * whole way is done with the keyboard alone: open the document from the queue, turn a page, delete
 * one, undo the delete, split and merge back, find "Müller" by typing "Mueller", assign and queue
 * with Ctrl+Enter; then the PDF in the outbox has the right pages, the first one turned, and the
 * chosen metadata.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { markedHeightPt, markedPage, pdfPageSizes } from '../fixtures/marked-pages.js';
import { waitFor } from '../support/station-process.js';
import { launchBrowser, openStation, screenshot } from './support/browser.js';
import { dropIntoHotFolder, startBrowserStation, type BrowserStation } from './support/station.js';

let browser: Browser;
let station: BrowserStation;

beforeAll(async () => {
  browser = await launchBrowser();
  station = await startBrowserStation({ profile: { colourMode: 'grey', grouping: { rule: 'batch', quietWindowMs: 1500 } } });
});
afterAll(async () => {
  await browser?.close();
  await station?.stop();
});

const CUSTOMERS_CSV = [
  'Kundennummer;BG-Nummer;Nachname;Vorname;Geburtsdatum',
  '300100;12345BG0000100;Müller;Anna;03.04.1980',
  '300101;12345BG0000101;Mahler;Bernd;12.12.1969',
  '300102;12345BG0000102;Schmidt;Ümit;01.01.1990',
].join('\n');

describe('document view and assignment (browser)', () => {
  it('turns and deletes a page, undoes, assigns and queues: keyboard only, down to the outbox', async () => {
    const { page, problems, context } = await openStation(browser, station.url);
    // The directory, imported the way the settings screen does it (same operation, same session).
    const imported = await page.evaluate(async (csv) => {
      const bytes = new TextEncoder().encode(csv);
      const response = await fetch('/api/importCustomersCsv', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ fileName: 'kunden.csv', contentBase64: btoa(String.fromCharCode(...bytes)) }),
      });
      return response.json();
    }, CUSTOMERS_CSV);
    expect(imported.ok, JSON.stringify(imported)).toBe(true);

    for (const i of [0, 1, 2]) dropIntoHotFolder(station, `scan_${i + 1}.jpg`, await markedPage(i, { variant: 77 }));
    const row = page.locator('.queue-row[data-state="needs_review"]').first();
    await row.waitFor({ timeout: 60_000 });
    const id = (await row.getAttribute('data-document-id'))!;

    // Open it from the queue with Enter.
    await page.locator('.queue-list').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((expected) => location.hash === `#/document/${expected}`, id);
    const screen = page.locator(`.document-screen[data-document-id="${id}"]`);
    await screen.waitFor();
    await page.locator('[data-page-count="3"]').waitFor();
    // The page strip has the focus: the keys work at once.
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-page-strip'))).toBe(true);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.thumb img, .page-view img')].every((img) => img.complete && img.naturalWidth > 0), undefined, { timeout: 30_000 });
    await screenshot(page, 'document-de');

    // R turns the first page right.
    await page.keyboard.press('r');
    await page.locator('.thumb[data-index="0"][data-turn="90"]').waitFor();
    // Down to the second page, Delete deletes it; Ctrl+Z brings it back.
    await page.keyboard.press('ArrowDown');
    const second = await page.locator('.thumb[data-index="1"]').getAttribute('data-page-id');
    await page.keyboard.press('Delete');
    await page.locator('[data-page-count="2"]').waitFor();
    expect(await page.locator(`.thumb[data-page-id="${second}"]`).count()).toBe(0);
    await page.keyboard.press('Control+z');
    await page.locator('[data-page-count="3"]').waitFor();
    await page.locator(`.thumb[data-index="1"][data-page-id="${second}"]`).waitFor();
    expect(await page.locator('.thumb[data-index="0"]').getAttribute('data-turn')).toBe('90');
    // T splits before the second page; M appends the split-off document again.
    await page.keyboard.press('t');
    await page.locator('[data-page-count="1"]').waitFor();
    await page.locator('[data-open-split]').waitFor();
    await page.keyboard.press('m');
    await page.locator('[data-page-count="3"]').waitFor();
    expect(await page.locator('.thumb').evaluateAll((thumbs) => thumbs.map((t) => t.getAttribute('data-turn')))).toEqual(['90', '0', '0']);

    // A jumps to the customer search; "Mueller" finds "Müller".
    await page.keyboard.press('a');
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-customer-search'))).toBe(true);
    // Enter straight after typing, before the answer for the whole word can be there: it waits for
    // that answer and never takes a customer from the list of an earlier prefix ("M", "Mu", ...).
    await page.keyboard.type('Mueller');
    await page.keyboard.press('Enter');
    await page.locator('[data-results-for="Mueller"]').waitFor();
    const option = page.locator('.assign-option', { hasText: 'Müller' });
    expect(await page.locator('.assign-option').count()).toBe(1);
    const customerId = await option.getAttribute('data-customer-id');
    // Enter took the customer and moved to the document type; arrows choose "Kontoauszug".
    await page.locator(`[data-chosen-customer="${customerId}"]`).waitFor();
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-document-type'))).toBe(true);
    await page.keyboard.press('Home');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    expect(await page.locator('[data-document-type]').inputValue()).toBe('Kontoauszug');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Seite 3 folgt');
    await screenshot(page, 'assign-de');
    // One keystroke assigns and queues for sending; the view goes back to the queue.
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(() => location.hash.startsWith('#/queue'), undefined, { timeout: 60_000 });

    // The document reaches the default outbox as a PDF: three pages, the first one turned.
    const outbox = path.join(station.dataDir, 'outbox');
    const pdfFile = path.join(outbox, `${id}.pdf`);
    const jsonFile = path.join(outbox, `${id}.json`);
    await waitFor(() => fs.existsSync(pdfFile) && fs.existsSync(jsonFile), 60_000, 'the PDF and its index in the outbox');
    const sizes = await pdfPageSizes(fs.readFileSync(pdfFile));
    expect(sizes).toEqual([
      { width: markedHeightPt(0), height: 595 },
      { width: 595, height: markedHeightPt(1) },
      { width: 595, height: markedHeightPt(2) },
    ]);
    const index = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as { documentType: string; customer: { id: string }; pages: number; staffUser: string | null };
    expect(index).toMatchObject({ documentType: 'Kontoauszug', customer: { id: customerId }, pages: 3 });

    expect(problems).toEqual([]);
    await context.close();
  });
});
