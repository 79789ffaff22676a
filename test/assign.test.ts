/**
 * Assignment through dispatch on a real station: customers imported from a generated CSV into the
 * real directory, documents made from real scans, the document type checked against the
 * configuration, the audit trail free of names, and a document queued right after an edit only
 * once its rebuilt PDF is on disk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stationCaller } from './support/api.js';
import { DEFAULT_DOCUMENT_TYPES, parseConfig } from '../main/config/schema.js';
import type { DocumentDetailView } from '../preload/contract/documents.js';
import type { CustomerSummaryView } from '../preload/contract/customers.js';
import { markedHeightPt, markedPage, pdfBytes, pdfPageSizes, startMarkedStation, waitBuilt, type MarkedStation } from './fixtures/marked-pages.js';

let env: MarkedStation;
let scans = 0;
const actor = 'empfang-2';

const CUSTOMERS = [
  ['100200', '12345BG0000001', 'Müller', 'Anna', '03.04.1980'],
  ['100201', '12345BG0000002', 'Schulze', 'Jörg', '17.11.1975'],
  ['100202', '12345BG0000002', 'Schulze', 'Petra', '01.02.1977'],
];

beforeAll(async () => {
  env = await startMarkedStation({ config: { documentTypes: ['Antrag', 'Kontoauszug', 'Widerspruch', 'Sonstiges'] } });
  const csv = ['Kundennummer;BG-Nummer;Nachname;Vorname;Geburtsdatum', ...CUSTOMERS.map((row) => row.join(';'))].join('\n');
  await call('importCustomersCsv', { fileName: 'kunden.csv', contentBase64: Buffer.from(csv, 'utf8').toString('base64') });
});

afterAll(async () => {
  await env?.stop();
});

const { call, refused } = stationCaller(() => ({ station: env.station, actor }));

async function scan(indexes: number[]): Promise<string> {
  scans++;
  const files = await Promise.all(indexes.map(async (i, n) => ({ name: `desk_${scans}_${n + 1}.jpg`, data: await markedPage(i, { variant: 1000 + scans }) })));
  return env.scanBatch(files);
}

async function customer(query: string): Promise<CustomerSummaryView> {
  const { items } = await call<{ items: CustomerSummaryView[] }>('searchCustomers', { query, limit: 5 });
  expect(items.length, query).toBeGreaterThan(0);
  return items[0]!;
}

describe('document types', () => {
  it('come from the configuration, with the German list as the default', async () => {
    expect(await call('listDocumentTypes', {})).toEqual({ items: ['Antrag', 'Kontoauszug', 'Widerspruch', 'Sonstiges'], defaultType: 'Sonstiges' });
    expect(parseConfig({}, 'test').documentTypes).toEqual([...DEFAULT_DOCUMENT_TYPES]);
    expect(DEFAULT_DOCUMENT_TYPES).toContain('Arbeitsunfähigkeitsbescheinigung');
    expect(() => parseConfig({ documentTypes: ['Antrag', 'antrag'] }, 'test')).toThrow(/documentTypes/);
    expect(() => parseConfig({ documentTypes: [] }, 'test')).toThrow(/documentTypes/);
  });
});

describe('assignment', () => {
  it('assigns customer, type and note and keeps the document ready; the customer becomes recent', async () => {
    const id = await scan([0]);
    const schulze = await customer('Petra Schulze');
    const detail = await call<DocumentDetailView>('assignDocument', { id, customerId: schulze.id, documentType: 'kontoauszug', note: '  Seite 2 fehlt  ', send: false });
    expect(detail).toMatchObject({ state: 'ready', customerId: schulze.id, documentType: 'Kontoauszug', note: 'Seite 2 fehlt', editable: true });
    // Recently used first when staff open the search without typing.
    expect((await call<{ items: CustomerSummaryView[] }>('searchCustomers', { query: '', limit: 3 })).items[0]!.id).toBe(schulze.id);
    const entry = env.station.store.audit.forSubject('document', id).at(-1)!;
    expect(entry).toMatchObject({ actor, action: 'assign', from_state: 'needs_review', to_state: 'ready' });
    // Ids only: never the customer's name or the note's words.
    expect(entry.detail).toContain(schulze.id);
    expect(entry.detail).not.toMatch(/Schulze|Petra|fehlt/);
  });

  it('refuses an unknown type or customer and bad input, naming the field, and changes nothing', async () => {
    const id = await scan([1]);
    const mueller = await customer('Mueller');
    const type = await refused('assignDocument', { id, customerId: mueller.id, documentType: 'Einkommensnachweis', send: true });
    expect(type.code).toBe('unknown_document_type');
    expect(type.message).toContain('documentType');
    const who = await refused('assignDocument', { id, customerId: 'cu_nobody', documentType: 'Antrag', send: true });
    expect(who.code).toBe('unknown_customer');
    expect(who.message).toContain('customerId');
    const missing = await refused('assignDocument', { id, customerId: mueller.id, send: true });
    expect(missing.code).toBe('invalid_input');
    expect(missing.message).toContain('documentType');
    const longNote = await refused('assignDocument', { id, customerId: mueller.id, documentType: 'Antrag', note: 'x'.repeat(501), send: false });
    expect(longNote.message).toContain('note');
    expect((await refused('assignDocument', { id, customerId: mueller.id, documentType: 'Antrag', send: 'yes' })).message).toContain('send');
    expect(env.station.store.documents.get(id)).toMatchObject({ state: 'needs_review', customer_id: null, document_type: 'Sonstiges' });
  });

  it('queues right after an edit only once the rebuilt PDF is on disk, then refuses changes', async () => {
    const id = await scan([0, 2]);
    const mueller = await customer('muller anna');
    const { pages } = await call<DocumentDetailView>('getDocumentDetail', { id });
    await call('rotatePage', { id, pageId: pages[1]!.id, degrees: 90 });
    const detail = await call<DocumentDetailView>('assignDocument', { id, customerId: mueller.id, documentType: 'Widerspruch', send: true });
    // The answer comes after the rebuild: the PDF the uploader takes has the turned page.
    expect(detail.building).toBe(false);
    expect(['queued', 'uploading', 'uploaded']).toContain(detail.state);
    const sizes = await pdfPageSizes(pdfBytes(env.station, id));
    expect(sizes[1]).toEqual({ width: markedHeightPt(2), height: 595 });
    const audit = env.station.store.audit.forSubject('document', id).find((e) => e.action === 'assign_and_queue')!;
    expect(audit).toMatchObject({ actor, from_state: 'needs_review', to_state: 'queued' });

    expect((await refused('assignDocument', { id, customerId: mueller.id, documentType: 'Antrag', send: false })).code).toBe('not_editable');
    expect((await refused('deletePage', { id, pageId: pages[0]!.id })).code).toBe('not_editable');
    await waitBuilt(env.station, id);
  });
});
