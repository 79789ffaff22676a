/**
 * The document view and assignment in a real browser (Debian's Chromium) against browser mode over
 * the real core: scans dropped into a real hot folder, a real SQLite file, the default outbox. The
 * whole way is done with the keyboard alone: open the document from the queue, turn a page, delete
 * one, undo the delete, split and merge back, find "Müller" by typing "Mueller", assign and queue
 * with Ctrl+Enter; then the PDF in the outbox has the right pages, the first one turned, and the
 * chosen metadata.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { markedHeightPt, markedPage, pdfPageSizes } from '../fixtures/marked-pages.js';
import { waitFor } from '../support/station-process.js';
import { screenshot } from './support/browser.js';
import { dropIntoHotFolder, type BrowserStation } from './support/station.js';
import { browserSuite, expectFocusOn, focusRingVisible, importCustomers } from './support/suite.js';

const suite = browserSuite();
let station: BrowserStation;

beforeAll(async () => {
  // A quiet window long enough that a loaded machine still makes one batch of the three scans.
  station = await suite.station({ profile: { colourMode: 'grey', grouping: { rule: 'batch', quietWindowMs: 5000 } } });
});

/** The turns of the thumbnails, in page order. */
const turns = (page: Page) => () => page.locator('.thumb').evaluateAll((thumbs) => thumbs.map((t) => t.getAttribute('data-turn')));

const CUSTOMERS_CSV = [
  'Kundennummer;BG-Nummer;Nachname;Vorname;Geburtsdatum',
  '300100;12345BG0000100;Müller;Anna;03.04.1980',
  '300101;12345BG0000101;Mahler;Bernd;12.12.1969',
  '300102;12345BG0000102;Schmidt;Ümit;01.01.1990',
].join('\n');

describe('document view and assignment (browser)', () => {
  it('turns and deletes a page, undoes, assigns and queues: keyboard only, down to the outbox', async () => {
    const { page, problems, context } = await suite.open(station);
    await importCustomers(page, CUSTOMERS_CSV);

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
    // The page strip has the focus (with a visible focus ring): the keys work at once.
    await expectFocusOn(page, 'data-page-strip');
    expect(await focusRingVisible(page)).toBe(true);
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
    // A refresh asked before the undo's answer must not put an older state back: read until settled.
    await expect.poll(turns(page)).toEqual(['90', '0', '0']);
    // T splits before the second page; M appends the split-off document again.
    await page.keyboard.press('t');
    await page.locator('[data-page-count="1"]').waitFor();
    await page.locator('[data-open-split]').waitFor();
    await page.keyboard.press('m');
    await page.locator('[data-page-count="3"]').waitFor();
    await expect.poll(turns(page)).toEqual(['90', '0', '0']);
    // Edits never take the focus away from the strip.
    await expectFocusOn(page, 'data-page-strip');

    // A jumps to the customer search; "Mueller" finds "Müller".
    await page.keyboard.press('a');
    await expectFocusOn(page, 'data-customer-search');
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
    await expectFocusOn(page, 'data-document-type');
    await page.keyboard.press('Home');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('[data-document-type]').inputValue()).toBe('Kontoauszug');
    await page.keyboard.press('Enter');
    await expectFocusOn(page, 'data-note');
    await page.keyboard.type('Seite 3 folgt');
    await screenshot(page, 'assign-de');
    // One keystroke assigns and queues for sending; the view goes back to the queue it came from.
    // Nothing is left to review there, so the keyboard is on the main area (not lost on the page body).
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(() => location.hash === '#/queue/needs_review', undefined, { timeout: 60_000 });
    await page.locator('[data-empty="needs_review"]').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');

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

    // "Sent today" (Alt+5) names the customer as staff know them, never by the directory's internal id.
    await page.keyboard.press('Alt+5');
    const sent = page.locator(`.queue-row[data-document-id="${id}"] .queue-row-customer`);
    await sent.filter({ hasText: 'Müller, Anna · Kd.-Nr. 300100' }).waitFor({ timeout: 30_000 });
    expect(await sent.innerText()).not.toContain(customerId!);

    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits every turned page into its box: thumbnails and the large view at 0/90/180/270 and a fine turn, clipped, zoomed from the corner', async () => {
    // A taller window than wide enough for a landscape page: the turned page must still fit the view.
    const { page, problems, context } = await suite.open(station, { viewport: { width: 1280, height: 1000 } });
    // Whatever an earlier test left in the view: the new scan is one more, newest first.
    const before = Number(await page.locator('.screen-count[data-count]').getAttribute('data-count'));
    dropIntoHotFolder(station, 'fit_1.jpg', await markedPage(0, { variant: 91 }));
    await page.locator(`.screen-count[data-count="${before + 1}"]`).waitFor({ timeout: 60_000 });
    const row = page.locator('.queue-row[data-index="0"][data-state="needs_review"]');
    await row.waitFor({ timeout: 60_000 });
    const id = (await row.getAttribute('data-document-id'))!;
    await page.locator(`.queue-row[aria-selected="true"][data-document-id="${id}"]`).waitFor();
    await page.locator('.queue-list').focus();
    await page.keyboard.press('Enter');
    await page.locator(`.document-screen[data-document-id="${id}"] [data-page-count="1"]`).waitFor();
    await expectFocusOn(page, 'data-page-strip');
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.thumb img, .page-view img')].every((img) => img.complete && img.naturalWidth > 0), undefined, { timeout: 30_000 });

    /** Where the page boxes and images are, and whether the turned image is clipped to its box. */
    const layout = () =>
      page.evaluate(() => {
        const rect = (el: Element) => el.getBoundingClientRect();
        const inside = (inner: DOMRect, outer: DOMRect) => inner.left >= outer.left - 1 && inner.top >= outer.top - 1 && inner.right <= outer.right + 1 && inner.bottom <= outer.bottom + 1;
        // The turned image's corners (its own size turned by its transform): any corner that lies
        // outside the box must not be hit there, i.e. the box clips it.
        const clipped = (img: HTMLImageElement, box: DOMRect) => {
          const matrix = new DOMMatrix(getComputedStyle(img).transform);
          const angle = Math.atan2(matrix.b, matrix.a);
          const r = rect(img);
          const cx = (r.left + r.right) / 2;
          const cy = (r.top + r.bottom) / 2;
          const hw = img.offsetWidth / 2 - 1;
          const hh = img.offsetHeight / 2 - 1;
          return [[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]].every(([x, y]) => {
            const px = cx + x! * Math.cos(angle) - y! * Math.sin(angle);
            const py = cy + x! * Math.sin(angle) + y! * Math.cos(angle);
            const outside = px < box.left - 1 || px > box.right + 1 || py < box.top - 1 || py > box.bottom + 1;
            return !outside || document.elementFromPoint(px, py) !== img;
          });
        };
        const thumb = document.querySelector('.thumb')!;
        const thumbBox = thumb.querySelector('.page-box')!;
        const view = document.querySelector<HTMLElement>('.page-view')!;
        const viewBox = view.querySelector('.page-box')!;
        const style = getComputedStyle(view);
        const content = new DOMRect(
          rect(view).left + parseFloat(style.paddingLeft),
          rect(view).top + parseFloat(style.paddingTop),
          view.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
          view.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom),
        );
        const box = rect(viewBox);
        return {
          turn: thumb.getAttribute('data-turn'),
          thumbFits: inside(rect(thumbBox), rect(thumb)),
          thumbClipped: clipped(thumb.querySelector('img')!, rect(thumbBox)),
          viewFits: inside(box, content) && view.scrollWidth <= view.clientWidth && view.scrollHeight <= view.clientHeight,
          // Fitted, not merely small: one side fills the view.
          viewFilled: Math.abs(box.width - content.width) <= 2 || Math.abs(box.height - content.height) <= 2,
          viewClipped: clipped(view.querySelector('img')!, box),
          landscape: box.width > box.height,
        };
      });
    const expectFitted = async (turn: string) => {
      await page.locator(`.thumb[data-turn="${turn}"]`).waitFor();
      await expect.poll(layout).toMatchObject({ turn, thumbFits: true, thumbClipped: true, viewFits: true, viewFilled: true, viewClipped: true, landscape: turn === '90' || turn === '270' });
    };

    await expectFitted('0');
    await page.keyboard.press('r');
    await expectFitted('90');
    await screenshot(page, 'document-turned-90');
    // Two turns typed faster than the station answers: both are done, one after the other.
    await page.keyboard.press('r');
    await page.keyboard.press('r');
    await expectFitted('270');
    await page.keyboard.press('Shift+R');
    await expectFitted('180');
    await page.keyboard.press('r');
    await page.keyboard.press('r');
    await expectFitted('0');

    // A fine turn of 10° (] twenty times): corners beyond the box are cut off, in both views.
    for (let i = 0; i < 20; i++) await page.keyboard.press(']');
    await page.locator('.thumb[data-fine="10"]').waitFor();
    await expectFitted('0');
    await page.keyboard.press('r');
    await page.locator('.thumb[data-turn="90"][data-fine="10"]').waitFor();
    await expectFitted('90');
    await screenshot(page, 'document-fine-turn');

    // Zoomed to 200 % (+ twice) the page is larger than the view and starts at its top-left corner:
    // every part can be scrolled to, none hangs off the left edge.
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.locator('.page-view[data-zoom="2"]').waitFor();
    const zoomed = await page.evaluate(() => {
      const view = document.querySelector<HTMLElement>('.page-view')!;
      view.scrollTo(0, 0);
      const box = view.querySelector('.page-box')!.getBoundingClientRect();
      const outer = view.getBoundingClientRect();
      return { scrolls: view.scrollWidth > view.clientWidth, fromCorner: box.left >= outer.left && box.top >= outer.top, wholeWidth: view.scrollWidth >= box.width };
    });
    expect(zoomed).toEqual({ scrolls: true, fromCorner: true, wholeWidth: true });
    await expectFocusOn(page, 'data-page-strip');

    expect(problems).toEqual([]);
    await context.close();
  });
});
