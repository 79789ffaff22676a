/**
 * The queue in a real browser (Debian's Chromium) against browser mode over the real core: a real
 * hot folder, real generated scans, a real SQLite file, and for the error view a real HTTP target
 * that refuses the station's credentials.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { renderPageFile } from '../fixtures/pages.js';
import { screenshot } from './support/browser.js';
import { dropIntoHotFolder } from './support/station.js';
import { seedDocuments } from './support/seed.js';
import { browserSuite, callFromPage, expectFocusOn, focusRingVisible, importCustomers } from './support/suite.js';

const suite = browserSuite();
const servers: http.Server[] = [];
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

/** The attribute of the selected row, read until it settles on `expected`. */
const selectedId = (page: import('playwright-core').Page) => () => page.locator('.queue-row[aria-selected="true"]').getAttribute('data-document-id', { timeout: 5_000 }).catch(() => null);

describe('queue (browser)', () => {
  it('shows scans dropped into the hot folder live, in German, then in English when chosen', async () => {
    const station = await suite.station();
    const { page, problems, context } = await suite.open(station);

    // German by default, and an empty queue says what to do next.
    await page.locator('[data-empty="needs_review"]').waitFor();
    expect(await page.locator('nav').innerText()).toContain('Neu / zu prüfen');
    expect(await page.locator('[data-empty="needs_review"]').innerText()).toContain('Scanner');
    expect(await page.locator('html').getAttribute('lang')).toBe('de');

    // A marker in the page: it must survive, i.e. no reload happens while scans arrive.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const scans = await Promise.all([1, 2].map((seed) => renderPageFile({ seed, dpi: 100 }, 'jpeg')));
    dropIntoHotFolder(station, 'scan_0001.jpg', scans[0]!);
    dropIntoHotFolder(station, 'scan_0002.jpg', scans[1]!);

    // The row shows up as "processing" first and changes; wait for what it ends as, not for the first row.
    const row = page.locator('.queue-row[data-state="needs_review"]', { hasText: '2 Seiten' });
    await row.waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await expect.poll(() => page.locator('.queue-row[data-document-id]').count()).toBe(1);
    expect(await row.innerText()).toContain('Nicht zugeordnet');
    await page.locator('[data-nav="/queue/needs_review"] .nav-count', { hasText: /^1$/ }).waitFor();
    await screenshot(page, 'queue-de');

    // The whole way without a mouse: focus the list, Enter opens the document. A scan arriving on
    // top meanwhile must not move the selection to another document.
    const id = (await row.getAttribute('data-document-id'))!;
    await page.locator('.queue-list').focus();
    await page.keyboard.press('ArrowDown'); // one row only: stays on it
    await expect.poll(selectedId(page)).toBe(id);
    expect(await focusRingVisible(page)).toBe(true);
    dropIntoHotFolder(station, 'scan_0003.jpg', await renderPageFile({ seed: 3, dpi: 100 }, 'jpeg'));
    await page.locator('.queue-row[data-document-id]').nth(1).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.queue-row[data-document-id]').first().getAttribute('data-document-id')).not.toBe(id);
    // Every frame from the arrival on has the selection on the same document (it is worked out while
    // rendering), so this is not a race against an effect moving it back.
    await expect.poll(selectedId(page)).toBe(id);
    await page.keyboard.press('Enter');
    await page.waitForFunction((expected) => location.hash === `#/document/${expected}`, id);
    // Escape goes back to the list it came from, the selection still on the document just opened.
    await page.locator(`.document-screen[data-document-id="${id}"] [data-page-strip]`).waitFor();
    await expectFocusOn(page, 'data-page-strip');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => location.hash === '#/queue/needs_review');
    await page.locator(`.queue-row[aria-selected="true"][data-document-id="${id}"]`).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('queue-list'))).toBe(true);

    // English on request, kept across a reload.
    await page.locator('[data-action="settings"]').click();
    await page.getByLabel('English').check();
    await page.locator('nav').getByText('New / to review').waitFor();
    await page.locator(`.queue-row[data-document-id="${id}"]`, { hasText: '2 pages' }).waitFor();
    await page.reload();
    await page.locator('nav').getByText('New / to review').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.locator('[data-status="processing"]', { hasText: 'Processing' }).waitFor();

    expect(problems).toEqual([]);
    await context.close();
  });

  it('keeps 10,000 documents smooth: the list renders, scrolls to the end, and the DOM stays small', async () => {
    let ids: string[] = [];
    const station = await suite.station({ seed: (dataDir) => void (ids = seedDocuments(dataDir, { count: 10_000, hotFolder: '/scanner' })) });
    const { page, problems, context } = await suite.open(station);

    await page.locator('.screen-count[data-count="10000"]').waitFor();
    await page.locator(`.queue-row[data-document-id="${ids[0]}"]`).waitFor();
    // The navigation's count comes from another request than the list: wait for it, do not read it once.
    await page.locator('[data-nav="/queue/needs_review"] .nav-count', { hasText: /^10\.000$/ }).waitFor();
    const rowsAtTop = await page.locator('.queue-row').count();
    expect(rowsAtTop).toBeGreaterThan(5);
    expect(rowsAtTop).toBeLessThan(60);

    // Keyboard to the end: End jumps to the oldest document, which is fetched on demand.
    await page.locator('.queue-list').focus();
    await page.keyboard.press('End');
    const last = page.locator(`.queue-row[aria-selected="true"][data-document-id="${ids[ids.length - 1]}"]`);
    await last.waitFor();
    expect(await last.innerText()).toContain('Dokument 1');
    expect(await page.locator('.queue-row').count()).toBeLessThan(60);

    // Scroll through the middle: rows there load too, and the DOM stays bounded. The rows of the end
    // are still in the DOM until the scroll is handled, so wait for rows *of the middle*, loaded.
    await page.locator('.queue-list').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    const middleRows = () =>
      page.locator('.queue-row').evaluateAll((rows) => ({
        loading: rows.filter((r) => !r.hasAttribute('data-document-id')).length,
        indices: rows.filter((r) => r.hasAttribute('data-document-id')).map((r) => Number(r.getAttribute('data-index'))),
      }));
    await expect
      .poll(async () => {
        const { loading, indices } = await middleRows();
        return loading === 0 && indices.length > 3 && Math.min(...indices) > 4000 && Math.max(...indices) < 6000;
      }, { timeout: 15_000 })
      .toBe(true);
    expect(await page.locator('.queue-row').count()).toBeLessThan(60);

    // Arrow keys move one row at a time from the end.
    await page.locator('.queue-list').focus();
    await page.keyboard.press('End');
    await page.locator(`.queue-row[aria-selected="true"][data-document-id="${ids[ids.length - 1]}"]`).waitFor();
    await page.keyboard.press('ArrowUp');
    await page.locator(`.queue-row[aria-selected="true"][data-document-id="${ids[ids.length - 2]}"]`).waitFor();
    await screenshot(page, 'queue-10000-de');

    expect(problems).toEqual([]);
    await context.close();
  });

  it('says in plain words why sending stopped (German, English on request), with the code and the technical text for support; Enter opens it and "send again" works', async () => {
    // A DMS that refuses the station's credentials: a permanent refusal, so the document goes to "error" at once.
    let refused = 0;
    const dms = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        refused++;
        response.writeHead(401, { 'Content-Type': 'application/json' });
        response.end('{"error":"bad token"}');
      });
    });
    servers.push(dms);
    await new Promise<void>((resolve) => dms.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(dms.address() as AddressInfo).port}`;
    const station = await suite.station({
      profile: { grouping: { rule: 'batch', quietWindowMs: 1000 } },
      config: { sending: { targets: [{ kind: 'rest', name: 'dms', url }], defaultTarget: 'dms', maxAttempts: 2 } },
    });
    const { page, problems, context } = await suite.open(station);
    await importCustomers(page, 'Kundennummer;Nachname;Vorname\n300100;Müller;Anna');
    dropIntoHotFolder(station, 'scan_0001.jpg', await renderPageFile({ seed: 11, dpi: 100 }, 'jpeg'));
    const row = page.locator('.queue-row[data-state="needs_review"]');
    await row.waitFor({ timeout: 30_000 });
    const id = (await row.getAttribute('data-document-id'))!;
    const customers = await callFromPage<{ items: { id: string }[] }>(page, 'searchCustomers', { query: '300100' });
    await callFromPage(page, 'assignDocument', { id, customerId: customers.items[0]!.id, documentType: 'Sonstiges', send: true });

    // Alt+6: the error view; the row says what happened in words and gives the code.
    await page.keyboard.press('Alt+6');
    const failed = page.locator(`.queue-row[data-document-id="${id}"][data-state="error"]`);
    await failed.waitFor({ timeout: 30_000 });
    const reason = failed.locator('[data-error-code]');
    expect(await reason.getAttribute('data-error-code')).toBe('unauthorized');
    expect(await reason.innerText()).toContain('Der Zielserver hat die Zugangsdaten der Station abgelehnt.');
    expect(await reason.innerText()).toContain('Code unauthorized');
    // The station's technical text stays at hand for support (tooltip), never instead of the words.
    expect(await reason.getAttribute('title')).toContain('HTTP 401');
    expect(await reason.innerText()).not.toContain('HTTP 401');
    expect(refused).toBe(1);
    await screenshot(page, 'queue-error-de');

    // Enter opens it: the same words, the technical text in a details element the keyboard opens.
    await page.locator('.queue-list').focus();
    await page.keyboard.press('Enter');
    const panel = page.locator(`.document-screen[data-document-id="${id}"] [data-document-error="unauthorized"]`);
    await panel.waitFor();
    expect(await panel.innerText()).toContain('Versand gestoppt');
    const summary = panel.locator('[data-technical-details] summary');
    await summary.focus();
    expect(await focusRingVisible(page)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => panel.locator('[data-technical-details]').getAttribute('open')).toBe('');
    expect(await panel.locator('[data-technical-details] code').innerText()).toContain('HTTP 401');

    // "Send again" puts it back on its way and returns to the error view; the DMS refuses again.
    await panel.locator('[data-action="retry-send"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#/queue/error');
    await expect.poll(() => refused, { timeout: 30_000 }).toBe(2);
    await page.locator(`.queue-row[data-document-id="${id}"][data-state="error"]`).waitFor({ timeout: 30_000 });

    // English on request: the same reason in English words.
    await page.locator('[data-action="settings"]').click();
    await page.getByLabel('English').check();
    await page.locator(`.queue-row[data-document-id="${id}"] [data-error-code]`, { hasText: "The target server refused the station's credentials." }).waitFor();
    expect(await page.locator(`.queue-row[data-document-id="${id}"] [data-error-code]`).innerText()).toContain('code unauthorized');

    expect(problems).toEqual([]);
    await context.close();
  });
});
