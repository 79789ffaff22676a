/**
 * The "Kunden" screen in a real browser against browser mode: a Windows-1252 export larger than one
 * call (sent in parts) is imported from the file input, bad rows are listed by line, the status
 * counts the directory, and the search box finds "Müller" as "Mueller".
 */
import { describe, expect, it } from 'vitest';
import { screenshot } from './e2e/support/browser.js';
import { browserSuite } from './e2e/support/suite.js';
import { customerRows, generateCustomers, GERMAN_HEADER, writeCsv } from './bench/customers.js';

const suite = browserSuite();

describe('customer directory screen (browser)', () => {
  it('imports a CSV from the file input, lists bad rows by line, and searches as you type', async () => {
    const station = await suite.station();
    const { page, problems, context } = await suite.open(station);
    await page.locator('[data-nav="/customers"]').click();
    await page.locator('[data-directory-status][data-count="0"]').waitFor();

    const customers = generateCustomers(12_000, 9);
    const rows = customerRows(customers);
    rows[99]![4] = '31.04.1980'; // line 101: no such day
    rows[5000]![0] = ''; // line 5002: no customer number
    const file = writeCsv([GERMAN_HEADER, ...rows], { delimiter: ';', encoding: 'windows-1252' });
    expect(file.length).toBeGreaterThan(512 * 1024); // more than one call carries: sent in parts
    await page.locator('[data-input="customers-csv"]').setInputFiles({ name: 'Kunden Export.csv', mimeType: 'text/csv', buffer: file });
    await page.locator('[data-action="import-customers"]').click();

    const report = page.locator('[data-import-report]');
    await report.waitFor({ timeout: 60_000 });
    expect(await report.getAttribute('data-imported')).toBe(String(12_000 - 2));
    expect(await report.locator('[role="status"]').innerText()).toContain('Windows-1252');
    expect(await page.locator('[data-bad-rows] tr[data-line]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-line')))).toEqual(['101', '5002']);
    expect(await page.locator('[data-bad-rows] tr[data-line="101"]').innerText()).toContain('Geburtsdatum „31.04.1980“ gibt es nicht im Kalender.');
    expect(await page.locator('[data-bad-rows] tr[data-line="5002"]').innerText()).toContain('Die Kundennummer fehlt.');
    await page.locator(`[data-directory-status][data-count="${12_000 - 2}"]`).waitFor();
    await screenshot(page, 'customers-import-de');

    // The table says which search it shows: wait for the answer to this one, not any rows.
    await page.locator('[data-input="customer-search"]').fill('Mueller');
    const results = page.locator('[data-customer-results][data-results-for="Mueller"] tbody tr');
    await results.first().waitFor();
    const names = await results.locator('.cell-name').allInnerTexts();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name.startsWith('Müller, ')).toBe(true);

    // A customer number finds exactly that customer first.
    const someone = customers[1234]!;
    await page.locator('[data-input="customer-search"]').fill(someone.customerNumber);
    await page.locator(`[data-customer-results] tbody tr:first-child td:nth-child(2)`, { hasText: someone.customerNumber }).waitFor();
    await page.locator('[data-input="customer-search"]').fill('Zzyzx');
    await page.locator('[data-empty="customers"]').waitFor();

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
