/**
 * Saved settings are in force at once, on a running station that watches real folders: a hot folder
 * added in the settings is watched and its scans become documents under its profile, the new default
 * target receives the next send, and a removed folder is let go (its files stay where they are).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStation, type Station } from '../main/station.js';
import type { SettingsView } from '../preload/contract/settings.js';
import type { CustomerSummaryView } from '../preload/contract/customers.js';
import { renderPageFile } from './fixtures/pages.js';
import { stationCaller } from './support/api.js';
import { waitFor } from './support/station-process.js';
import { useTempDir } from './support/temp-dir.js';

const temp = useTempDir('settings-live-');
let station: Station;
let desk = '';
let dms = '';
const { call } = stationCaller(() => ({ station, actor: 'admin-1' }));

beforeAll(async () => {
  const dataDir = path.join(temp.path(), 'data');
  desk = path.join(temp.path(), 'scans-desk');
  dms = path.join(temp.path(), 'dms');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(
    path.join(dataDir, 'config.json'),
    JSON.stringify({
      stationId: 'settings-live',
      hotFolders: [{ path: desk, polling: false, profile: { name: 'Empfang', grouping: { quietWindowMs: 500 } } }],
      watcher: { stableWindowMs: 200, pollIntervalMs: 50, reconcileIntervalMs: 500 },
      imaging: { workers: 1 },
      sending: { targets: [{ kind: 'folder', name: 'dms', path: dms }] },
    }),
  );
  station = createStation({ dataDir, incompleteGraceMs: 0 });
  await station.start();
  const csv = 'Kundennummer;Nachname;Vorname\n300400;Yılmaz;Deniz\n';
  await call('importCustomersCsv', { fileName: 'kunden.csv', contentBase64: Buffer.from(csv, 'utf8').toString('base64') });
});

afterAll(async () => {
  await station?.stop();
});

const documentsOf = (profile: string) => station.store.documents.list().filter((d) => d.profile_name === profile);

describe('settings in force without a restart', () => {
  it('watches an added folder under its own profile and sends to the new default target', async () => {
    const current = await call<SettingsView>('getSettings', {});
    const post = path.join(temp.path(), 'scans-post');
    const saved = await call<SettingsView>('saveSettings', {
      hotFolders: [
        current.hotFolders[0]!,
        { path: post, enabled: true, profile: { ...current.hotFolders[0]!.profile, name: 'Post', quietWindowMs: 500, defaultDocumentType: 'Antrag' } },
      ],
      defaultTarget: 'dms',
    });
    expect(saved.restartRequired).toBe(false);
    expect(station.status().hotFolders).toEqual([
      { path: desk, profile: 'Empfang', watching: true },
      { path: post, profile: 'Post', watching: true },
    ]);

    fs.writeFileSync(path.join(post, 'brief_1.jpg'), await renderPageFile({ dpi: 100, seed: 7 }, 'jpeg'));
    await waitFor(() => documentsOf('Post').some((d) => d.state === 'needs_review'), 60_000, 'a document from the added folder');
    const document = documentsOf('Post')[0]!;
    expect(document.document_type).toBe('Antrag');

    const [customer] = (await call<{ items: CustomerSummaryView[] }>('searchCustomers', { query: 'yilmaz', limit: 1 })).items;
    await call('assignDocument', { id: document.id, customerId: customer!.id, documentType: 'Antrag', send: true });
    await waitFor(() => fs.existsSync(dms) && fs.readdirSync(dms, { recursive: true }).some((name) => String(name).endsWith('.pdf')), 60_000, 'the PDF in the new default target');
    expect(station.store.documents.get(document.id)!.state).toBe('uploaded');
  });

  it('lets go of a removed folder: a file put there afterwards stays where it is', async () => {
    const current = await call<SettingsView>('getSettings', {});
    const post = current.hotFolders[1]!.path;
    await call<SettingsView>('saveSettings', { hotFolders: [current.hotFolders[0]!], defaultTarget: 'dms' });
    expect(station.status().hotFolders).toEqual([{ path: desk, profile: 'Empfang', watching: true }]);

    const left = path.join(post, 'brief_2.jpg');
    fs.writeFileSync(left, await renderPageFile({ dpi: 100, seed: 8 }, 'jpeg'));
    // The folder that stays is still watched: its scan is taken while the removed folder's file waits.
    fs.writeFileSync(path.join(desk, 'empfang_1.jpg'), await renderPageFile({ dpi: 100, seed: 9 }, 'jpeg'));
    await waitFor(() => documentsOf('Empfang').length === 1 && !fs.existsSync(path.join(desk, 'empfang_1.jpg')), 60_000, 'the scan from the folder that stays');
    // Several reconcile passes of the old watcher, had it survived.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(fs.existsSync(left)).toBe(true);
    expect(station.store.sources.all().map((s) => s.original_name)).not.toContain('brief_2.jpg');
    expect(documentsOf('Post')).toHaveLength(1);

    const audit = station.store.audit.forSubject('station', 'settings-live').filter((row) => row.action === 'settings_saved');
    expect(audit).toHaveLength(2);
  });
});
