/** Quarantine in a real browser against browser mode: a bad file shows its reason; discard asks first. */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { textFile } from '../fixtures/bad-files.js';
import { screenshot } from './support/browser.js';
import { dropIntoHotFolder } from './support/station.js';
import { browserSuite, expectFocusOn } from './support/suite.js';

const suite = browserSuite();

describe('quarantine (browser)', () => {
  it('shows a bad file with its reason in plain words; download, retry, and discard only after confirming', async () => {
    const station = await suite.station();
    const { page, problems, context } = await suite.open(station);
    // Alt+7 from anywhere: quarantine (the queue views are Alt+1 … Alt+6).
    await page.locator('[data-empty="needs_review"]').waitFor();
    await page.keyboard.press('Alt+7');
    await page.locator('[data-empty="quarantine"]').waitFor();
    expect(await page.locator('[data-nav="/quarantine"]').getAttribute('aria-current')).toBe('page');

    dropIntoHotFolder(station, 'Brief an das Amt.txt', textFile());
    const row = page.locator('tr[data-code="text_or_office"]');
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator('.cell-name').innerText()).toBe('Brief an das Amt.txt');
    expect(await row.locator('.cell-reason').innerText()).toContain('Text- oder Office-Datei');
    await page.locator('[data-nav="/quarantine"] .nav-count', { hasText: '1' }).waitFor();
    await screenshot(page, 'quarantine-de');

    // The kept original can be downloaded, byte for byte.
    const [download] = await Promise.all([page.waitForEvent('download'), row.locator('[data-action="download"]').click()]);
    expect(download.suggestedFilename()).toBe('Brief an das Amt.txt');
    expect(fs.readFileSync((await download.path())!).equals(textFile())).toBe(true);

    // Retry: the file goes through processing again and, still not a scan, comes back as a new entry.
    const before = await row.getAttribute('data-source-id');
    await row.locator('[data-action="retry"]').click();
    await page.locator('[data-message="ok"]', { hasText: 'erneut verarbeitet' }).waitFor();
    await page.waitForFunction((old) => {
      const again = document.querySelector('tr[data-code="text_or_office"]');
      return again !== null && again.getAttribute('data-source-id') !== old;
    }, before, { timeout: 30_000 });
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);

    // Discard asks first; Cancel (which has the focus) keeps the file.
    await row.locator('[data-action="discard"]').click();
    const dialog = page.getByRole('dialog', { name: 'Datei endgültig verwerfen?' });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe('cancel');
    await screenshot(page, 'quarantine-confirm-de');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await row.count()).toBe(1);
    // Escape gives the focus back to the button that opened the dialog.
    await expectFocusOn(page, 'data-action', 'discard');

    await row.locator('[data-action="discard"]').click();
    await dialog.locator('[data-action="confirm-discard"]').click();
    await page.locator('[data-empty="quarantine"]').waitFor();
    // The message of the retry above is still there until the discard answers: wait for the new words.
    await page.locator('[data-message="ok"]', { hasText: 'verworfen' }).waitFor();
    await page.locator('[data-nav="/quarantine"] .nav-count', { hasText: '0' }).waitFor();

    // The settings screen, from the menu: the watched hot folder and its profile.
    await page.locator('[data-action="settings"]').click();
    await page.locator('[data-action="all-settings"]').click();
    const folder = page.locator(`tr[data-folder="${station.hotFolder}"]`);
    await folder.waitFor();
    expect(await folder.innerText()).toContain('Empfang');
    // Whether it is watched comes with the station's status, which may answer after the table.
    await folder.filter({ hasText: 'überwacht' }).waitFor();
    await screenshot(page, 'settings-de');

    expect(problems).toEqual([]);
    await context.close();
  });
});
