/**
 * A mailroom batch end to end in a real browser: scanner files dropped into a mailroom hot folder
 * of the station in browser mode, split at the station's separator and cover sheets, barcodes read,
 * the batch review screen by keyboard (flags in German), sending the batch, and Enter into the
 * document view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { stationPaths } from '../../main/config/paths.js';
import { StationStore } from '../../main/store/station-store.js';
import { createCustomerDirectory } from '../../main/customers/index.js';
import { BatchBuilder, customersCsv, knownCustomers, renderScanPage, unknownCustomerNumber } from '../fixtures/mailroom-batch.js';
import { launchBrowser, openStation, screenshot } from './support/browser.js';
import { dropIntoHotFolder, startBrowserStation, type BrowserStation } from './support/station.js';

let browser: Browser;
let station: BrowserStation;

/** Three letters: one with a known customer's barcode, one with none, one behind a cover sheet for an unknown number. */
const batch = new BatchBuilder(false, 31, { dpi200: 1, skewed: 0.5, upsideDown: 0 }, 200)
  .letter({ pages: 2, barcode: { format: 'code128', text: `KDNR:${knownCustomers[0].customerNumber}` } })
  .stationSheet()
  .letter({ pages: 1 })
  .cover(unknownCustomerNumber, 1)
  .letter({ pages: 1 })
  .build();

beforeAll(async () => {
  browser = await launchBrowser();
  station = await startBrowserStation({
    // A quiet window long enough that a loaded machine still sees one batch.
    profile: { name: 'Post', kind: 'mailroom', grouping: { rule: 'batch', quietWindowMs: 6000 }, separation: { mode: 'station_sheet', duplex: false }, afterIngest: 'keep' },
    seed: async (dataDir) => {
      const store = StationStore.open(stationPaths(dataDir).database, 'e2e-seed');
      try {
        await createCustomerDirectory(store.db, { csvColumns: {} }).importCsv(Buffer.from(customersCsv(), 'utf8'), 'kunden.csv');
      } finally {
        store.close();
      }
    },
  });
  const files = await Promise.all(batch.pages.map((page, i) => renderScanPage(page, i)));
  files.forEach((data, i) => dropIntoHotFolder(station, `post_${String(i + 1).padStart(4, '0')}.jpg`, data));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await station?.stop();
});

describe('batch review (browser)', () => {
  it('lists the batch, shows how each document was split and assigned with a flag on every uncertain case, sends it, and opens a document', async () => {
    const { page, problems } = await openStation(browser, station.url);
    await page.evaluate(() => (location.hash = '#/batches'));
    const row = page.locator('[data-batch-id]').first();
    await row.waitFor({ timeout: 150_000 });
    await page.locator('[data-batch-id]', { hasText: 'Zu prüfen' }).waitFor({ timeout: 150_000 });
    await page.locator('[role="listbox"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.startsWith('#/batch/'));

    const docs = page.locator('[data-document-id]');
    await docs.nth(2).waitFor({ timeout: 60_000 });
    // The screen follows the PDFs being built: no document stays "processing".
    await page.waitForFunction(() => document.querySelectorAll('[data-document-id]').length === 3 && !document.querySelector('[data-document-id][data-state="processing"]'), undefined, { timeout: 120_000 });
    expect(await docs.count()).toBe(3);
    expect(await docs.evaluateAll((rows) => rows.map((r) => r.querySelector('[data-split]')!.getAttribute('data-split')))).toEqual(['batch_start', 'station_sheet', 'cover_sheet']);
    expect(await docs.nth(0).innerText()).toContain('2 Seiten');
    expect(await docs.nth(0).getAttribute('data-state')).toBe('ready');
    expect(await docs.nth(0).innerText()).toContain(`Kundennummer ${knownCustomers[0].customerNumber}`);
    expect(await docs.nth(1).getAttribute('data-flags')).toContain('no_barcode');
    expect(await docs.nth(1).innerText()).toContain('Kein Barcode');
    expect(await docs.nth(2).getAttribute('data-flags')).toContain('unknown_customer');
    expect(await docs.nth(2).innerText()).toContain(`Unbekannte Kundennummer ${unknownCustomerNumber}`);
    expect(await docs.nth(2).innerText()).toContain('Deckblatt');
    await screenshot(page, 'batch-review-de');

    // Alt+S sends the ready document; the two flagged ones stay.
    await page.locator('.batch-list').focus();
    await page.keyboard.press('Alt+s');
    await page.locator('[data-send-result]').waitFor();
    expect(await page.locator('[data-send-result]').innerText()).toContain('1 Dokument zum Versand gegeben');
    await page.waitForFunction(() => document.querySelector('[data-document-id]')?.getAttribute('data-state') !== 'ready');
    expect(['queued', 'uploading', 'uploaded']).toContain(await docs.nth(0).getAttribute('data-state'));
    expect(await docs.nth(1).getAttribute('data-state')).toBe('needs_review');

    // Down to the unassigned letter, Enter opens it in the document view.
    await page.locator('.batch-list').focus();
    await page.keyboard.press('ArrowDown');
    const id = await docs.nth(1).getAttribute('data-document-id');
    await page.keyboard.press('Enter');
    await page.waitForFunction((expected) => location.hash === `#/document/${expected}`, id);
    expect(problems).toEqual([]);
  });
});
