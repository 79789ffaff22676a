/**
 * A mailroom batch end to end in a real browser: scanner files dropped into a mailroom hot folder
 * of the station in browser mode, split at the station's separator and cover sheets, barcodes read,
 * the batch review screen by keyboard (flags in German), sending the batch, and Enter into the
 * document view.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { stationPaths } from '../../main/config/paths.js';
import { StationStore } from '../../main/store/station-store.js';
import { createCustomerDirectory } from '../../main/customers/index.js';
import { BatchBuilder, customersCsv, knownCustomers, renderScanPage, unknownCustomerNumber } from '../fixtures/mailroom-batch.js';
import { screenshot } from './support/browser.js';
import { dropIntoHotFolder, type BrowserStation } from './support/station.js';
import { browserSuite, expectFocusOn } from './support/suite.js';

const suite = browserSuite();
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
  station = await suite.station({
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

describe('batch review (browser)', () => {
  it('lists the batch, shows how each document was split and assigned with a flag on every uncertain case, sends it, and opens a document', async () => {
    const { page, problems, context } = await suite.open(station);
    await page.evaluate(() => (location.hash = '#/batches'));
    await page.locator('[data-batch-id]', { hasText: 'Zu prüfen' }).waitFor({ timeout: 150_000 });
    // The list takes the keyboard by itself: Enter opens the selected batch.
    await expectFocusOn(page, 'role', 'listbox');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.startsWith('#/batch/'));

    const docs = page.locator('[data-document-id]');
    // The screen follows the PDFs being built and the assignments: wait until it has settled (three
    // documents, none processing, the first one ready), then read it.
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('[data-document-id]')];
        return rows.length === 3 && rows.every((r) => r.getAttribute('data-state') !== 'processing') && rows[0]!.getAttribute('data-state') === 'ready';
      },
      undefined,
      { timeout: 120_000 },
    );
    expect(await docs.evaluateAll((rows) => rows.map((r) => r.querySelector('[data-split]')!.getAttribute('data-split')))).toEqual(['batch_start', 'station_sheet', 'cover_sheet']);
    expect(await docs.nth(0).innerText()).toContain('2 Seiten');
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
    await page.locator('[data-send-result]', { hasText: '1 Dokument zum Versand gegeben' }).waitFor();
    await expect.poll(() => docs.nth(0).getAttribute('data-state')).toMatch(/^(queued|uploading|uploaded)$/);
    expect(await docs.nth(1).getAttribute('data-state')).toBe('needs_review');

    // Down to the unassigned letter, Enter opens it in the document view. The list is re-read as
    // the sent document moves on: the selection stays on the letter, not on its row number.
    await page.locator('.batch-list').focus();
    await page.keyboard.press('ArrowDown');
    const id = (await docs.nth(1).getAttribute('data-document-id'))!;
    await page.locator(`[data-document-id="${id}"][aria-selected="true"]`).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForFunction((expected) => location.hash === `#/document/${expected}`, id);
    // Escape returns to this batch, the letter still selected.
    await expectFocusOn(page, 'data-page-strip');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => location.hash.startsWith('#/batch/'));
    await page.locator(`[data-document-id="${id}"][aria-selected="true"]`).waitFor();

    // The queue (Alt+1) words the letter's flag in German too, not in the station's English.
    await page.keyboard.press('Alt+1');
    const flag = page.locator(`.queue-row[data-document-id="${id}"] [data-flag="no_barcode"]`);
    await flag.waitFor();
    expect(await flag.innerText()).toContain('Kein Barcode');
    expect(await page.locator(`.queue-row[data-document-id="${id}"]`).innerText()).not.toContain('no barcode');
    expect(problems).toEqual([]);
    await context.close();
  });
});
