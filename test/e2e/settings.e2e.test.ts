/**
 * Settings in a real browser against browser mode: a hot folder's profile is edited and saved by
 * keyboard-reachable labelled fields (config.json changes, the screen says it is in force at
 * once); a relative path is refused naming its field and config.json stays byte for byte.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { screenshot } from './support/browser.js';
import { browserSuite } from './support/suite.js';

const suite = browserSuite();

describe('settings (browser)', () => {
  it('edits a profile and saves it; refuses a relative path without touching config.json', async () => {
    const station = await suite.station();
    const configFile = path.join(station.dataDir, 'config.json');
    const { page, problems, context } = await suite.open(station);
    await page.goto(`${station.url}#/settings`);
    const form = page.locator('[data-hot-folder="0"]');
    await form.waitFor();
    expect(await form.getByLabel('Ordnerpfad').inputValue()).toBe(station.hotFolder);

    await form.getByLabel('Name des Profils').fill('Empfang Haus B');
    await form.getByLabel('Farbmodus').selectOption('grey');
    await form.getByLabel('Leere Seiten weglassen').check();
    await page.locator('[data-action="save-settings"]').click();
    await page.locator('[data-save-result="saved"]', { hasText: 'ab sofort' }).waitFor();
    const saved = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    expect(saved.hotFolders[0].profile).toMatchObject({ name: 'Empfang Haus B', colourMode: 'grey', dropBlankPages: true });
    await screenshot(page, 'settings-edit-de');

    const before = fs.readFileSync(configFile);
    await page.locator('[data-action="add-folder"]').click();
    await page.locator('[data-hot-folder="1"]').getByLabel('Ordnerpfad').fill('scans/relativ');
    await page.locator('[data-action="save-settings"]').click();
    const refused = page.locator('[data-save-result="refused"]');
    await refused.waitFor();
    expect(await refused.innerText()).toContain('hotFolders.1.path');
    expect(fs.readFileSync(configFile).equals(before)).toBe(true);

    // Removing asks first; the safe choice has the focus and Escape keeps the folder.
    await page.locator('[data-hot-folder="1"] [data-action="remove-folder"]').click();
    const dialog = page.getByRole('dialog', { name: 'Eingangsordner entfernen?' });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe('cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-hot-folder="1"] [data-action="remove-folder"]').click();
    await dialog.locator('[data-action="confirm-remove"]').click();
    await page.locator('[data-hot-folder="1"]').waitFor({ state: 'detached' });

    expect(await page.locator('[data-link="customer-import"]').getAttribute('href')).toBe('#/customers');
    expect(problems).toEqual([]);
    await context.close();
  });
});
