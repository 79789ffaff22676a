/**
 * CSV import as German systems export it, on real SQLite and real files: both encodings with and
 * without BOM, both delimiters, quoted fields with delimiters, line breaks and doubled quotes; bad
 * rows reported by the line they start on while the good rows are kept; a 50,000-customer
 * Windows-1252 export through the API; the import-customers CLI in a child process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { openDatabase, type Db } from '../main/store/db.js';
import { CustomerDirectory } from '../main/customers/directory.js';
import { CsvImportError } from '../main/customers/import-csv.js';
import { decodeCsv, parseCsv } from '../main/customers/csv.js';
import { parseConfig } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';
import { dispatch } from '../main/api/dispatch.js';
import { useTempDir } from './support/temp-dir.js';
import { projectRoot } from './support/station-process.js';
import { customerRows, encodeWindows1252, generateCustomers, GERMAN_HEADER, writeCsv, type CsvWriteOptions } from './bench/customers.js';

const tmp = useTempDir('customers-import-');
const open: Db[] = [];
let dbCount = 0;
const TODAY = new Date('2026-06-01T12:00:00Z');

function freshDirectory(options: ConstructorParameters<typeof CustomerDirectory>[1] = {}): CustomerDirectory {
  const db = openDatabase(path.join(tmp.path(), `d${++dbCount}`, 'station.db'));
  open.push(db);
  return new CustomerDirectory(db, { now: () => TODAY, ...options });
}
afterAll(() => open.forEach((db) => db.close()));

const bomUtf8 = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);

describe('encodings and delimiters', () => {
  const customers = generateCustomers(400, 3);
  const variants: [string, CsvWriteOptions, string][] = [
    ['UTF-8, semicolon, no BOM', { delimiter: ';', encoding: 'utf-8' }, 'utf-8'],
    ['UTF-8 with BOM, comma', { delimiter: ',', encoding: 'utf-8', bom: true }, 'utf-8-bom'],
    ['Windows-1252, semicolon', { delimiter: ';', encoding: 'windows-1252' }, 'windows-1252'],
    ['Windows-1252, comma, every field quoted, LF', { delimiter: ',', encoding: 'windows-1252', quoteAll: true, lineEnd: '\n' }, 'windows-1252'],
    ['UTF-8 with BOM, semicolon, every field quoted', { delimiter: ';', encoding: 'utf-8', bom: true, quoteAll: true }, 'utf-8-bom'],
  ];
  for (const [label, options, encoding] of variants) {
    it(`reads ${label} letter for letter`, async () => {
      const file = await tmp.write(`${label.replace(/\W+/g, '-')}.csv`, writeCsv([GERMAN_HEADER, ...customerRows(customers)], options));
      const directory = freshDirectory();
      const report = await directory.importCsv(file);
      expect(report).toMatchObject({ imported: customers.length, updated: 0, skipped: 0, errors: [], encoding, delimiter: options.delimiter });
      for (const c of customers) {
        const found = directory.findByNumber(c.customerNumber)!;
        expect({ ...found, id: undefined, name: undefined, source: undefined, updatedAt: undefined, lastUsedAt: undefined }).toEqual({
          ...c,
          id: undefined,
          name: undefined,
          source: undefined,
          updatedAt: undefined,
          lastUsedAt: undefined,
        });
      }
      // Umlauts survived the encoding, and search folds them: each umlaut name is found as transliterated.
      const withUmlaut = customers.filter((c) => /[äöüß]/.test(c.familyName)).slice(0, 20);
      expect(withUmlaut.length).toBeGreaterThan(5);
      for (const c of withUmlaut) {
        const typed = `${c.familyName.replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')} ${c.givenNames} ${c.birthDate}`;
        expect(directory.search(typed).map((hit) => hit.customerNumber), typed).toContain(c.customerNumber);
      }
    });
  }

  it('tells Windows-1252 from UTF-8 by validity alone', () => {
    expect(decodeCsv(encodeWindows1252('Name;Straße\nMüller;Weiß\n'))).toEqual({ text: 'Name;Straße\nMüller;Weiß\n', encoding: 'windows-1252' });
    expect(decodeCsv(Buffer.from('Name;Straße\n', 'utf8'))).toEqual({ text: 'Name;Straße\n', encoding: 'utf-8' });
    expect(decodeCsv(bomUtf8('Name\n'))).toEqual({ text: 'Name\n', encoding: 'utf-8-bom' });
    // Bytes 0x80–0x9F are letters in Windows-1252 (€, Š, œ), not control codes.
    expect(decodeCsv(Buffer.from([0x80, 0x8a, 0x9c, 0x84, 0x93, 0x96, 0xe4])).text).toBe('€Šœ„“–ä');
  });

  it('reads Excel "Unicode text" (UTF-16 with BOM, tab separated)', async () => {
    const text = 'Kundennummer\tNachname\tVorname\n501\tGroß\tJörg\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const directory = freshDirectory();
    expect(await directory.importCsv(bytes)).toMatchObject({ imported: 1, encoding: 'utf-16le', delimiter: '\t' });
    expect(directory.search('gross')[0]?.name).toBe('Groß, Jörg');
  });
});

describe('quoting and bad rows', () => {
  it('parses quoted delimiters, line breaks and doubled quotes, and counts lines across them', () => {
    const text = 'a;b;c\r\n"x;1";"line one\r\nline two";"say ""hi"""\r\n\r\nplain;"";end\n"never closed;2;3\nnext;row;here\n';
    const records = [...parseCsv(text, ';')];
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x;1', 'line one\r\nline two', 'say "hi"'] },
      { line: 5, fields: ['plain', '', 'end'] },
      { line: 6, fields: [], error: expect.stringMatching(/never closed/), errorCode: 'quote_unclosed', errorField: 1 },
      { line: 7, fields: ['next', 'row', 'here'] },
    ]);
  });

  it('keeps the good rows and reports each bad one by its line with the reason', async () => {
    const rows = [
      'Kundennummer;BG-Nummer;Nachname;Vorname;Geburtsdatum;Bemerkung', // 1
      '1001;12345BG0000001;Müller;Hans;01.02.1980;', // 2 good
      '1002;12345BG0000001;"Schmidt; geb. Meier";"Anna ""Anni""";1.2.80;"zwei', // 3 good, note spans 3-4
      'Zeilen"', // 4
      ';12345BG0000002;Ohne;Nummer;01.01.1970;', // 5 bad: no number
      '1003;;Weber;Petra;31.02.1975;', // 6 bad: no such date
      '1004;;;Nur Vorname;01.01.1990;', // 7 bad: no family name
      '1005;;Kurz;Zeile', // 8 bad: too few fields
      '1006;;Zu;Viele;01.01.1990;x;y', // 9 bad: too many fields
      '', // 10 blank: ignored
      '1007;;Zukunft;Kind;01.01.2099;', // 11 bad: future
      '1008;;Lange;"Text"danach;01.01.1990;', // 12 bad: text after closing quote
      '1009;;Çelik;Ayşe;1985-03-04;', // 13 good
      '1010;;Heide;Anna;;;;', // 14 good: trailing empty fields are harmless
      '1011;;"Offen;Ende;01.01.1990;', // 15 bad: quote never closed
    ];
    const directory = freshDirectory();
    const report = await directory.importCsv(Buffer.from(rows.join('\r\n') + '\r\n'), 'mixed.csv');
    expect(report.errors.map((e) => e.line)).toEqual([5, 6, 7, 8, 9, 11, 12, 15]);
    expect(report).toMatchObject({ imported: 4, updated: 0, skipped: 8, ignoredColumns: ['Bemerkung'] });
    const messages = Object.fromEntries(report.errors.map((e) => [e.line, e.message]));
    expect(messages[5]).toMatch(/customer number.*missing/);
    expect(messages[6]).toMatch(/31\.02\.1975.*not a real calendar date/);
    expect(messages[7]).toMatch(/family name.*missing/);
    expect(messages[8]).toMatch(/4 fields, the header has 6/);
    expect(messages[9]).toMatch(/7 fields, the header has 6/);
    expect(messages[11]).toMatch(/future/);
    expect(messages[12]).toMatch(/after a closing quote/);
    expect(messages[15]).toMatch(/never closed/);
    // Each with a stable code (and its values) for the UI to word in German or English.
    expect(report.errors.map((e) => e.code)).toEqual(['customer_number_missing', 'date_impossible', 'family_name_missing', 'field_count', 'field_count', 'date_future', 'quote_text_after', 'quote_unclosed']);
    expect(report.errors.find((e) => e.line === 6)?.params).toEqual({ value: '31.02.1975' });
    expect(report.errors.find((e) => e.line === 8)?.params).toEqual({ found: 4, expected: 6 });
    expect(directory.findByNumber('1002')).toMatchObject({ familyName: 'Schmidt; geb. Meier', givenNames: 'Anna "Anni"', birthDate: '1980-02-01' });
    expect(directory.search('meier')[0]?.customerNumber).toBe('1002');
    expect(directory.status().lastImport).toMatchObject({ fileName: 'mixed.csv', imported: 4, skipped: 8 });
  });

  it('follows an Excel "sep=" first line and counts lines from it', async () => {
    const directory = freshDirectory();
    // Without the hint the header would look semicolon-separated (three of each; a tie goes to ";").
    const report = await directory.importCsv(Buffer.from('sep=,\r\nKundennummer,Nachname,Vorname,A;B;C;D\r\n1;x,Müller,Hans,\r\n,Ohne,Nummer,\r\n'));
    expect(report).toMatchObject({ imported: 1, delimiter: ',', ignoredColumns: ['A;B;C;D'], errors: [{ line: 4, code: 'customer_number_missing' }] });
    expect(directory.findByNumber('1;x')?.name).toBe('Müller, Hans');
  });

  it('updates by customer number: a second import counts new, changed and unchanged rows', async () => {
    const directory = freshDirectory();
    const header = 'Kundennummer;Nachname;Vorname;Geburtsdatum\n';
    await directory.importCsv(Buffer.from(header + '1;Alt;Anna;01.01.1980\n2;Gleich;Bert;02.02.1980\n'));
    const first = directory.findByNumber('1')!;
    const report = await directory.importCsv(Buffer.from(header + '1;Neu;Anna;01.01.1980\n2;Gleich;Bert;02.02.1980\n3;Dazu;Carl;03.03.1980\n'));
    expect(report).toMatchObject({ imported: 1, updated: 1, unchanged: 1, skipped: 0 });
    expect(directory.findByNumber('1')).toMatchObject({ id: first.id, familyName: 'Neu' });
    expect(directory.search('Alt')).toEqual([]);
    expect(directory.status().count).toBe(3);
  });

  it('understands English headers, one name column, and a site mapping from the configuration', async () => {
    const english = freshDirectory();
    const r1 = await english.importCsv(Buffer.from('Customer number,Surname,First name,Date of birth\n77,"Meyer-Lüdenscheidt","Karl Heinz",1970-05-06\n'));
    expect(r1).toMatchObject({ imported: 1, delimiter: ',' });
    expect(english.findByNumber('77')).toMatchObject({ familyName: 'Meyer-Lüdenscheidt', givenNames: 'Karl Heinz', birthDate: '1970-05-06' });

    const oneColumn = freshDirectory();
    await oneColumn.importCsv(Buffer.from('Kunden-Nr.;Name;Geb.-Datum\n1;Müller, Hans;01.02.1980\n2;Anna von der Heide;1.1.90\n'));
    expect(oneColumn.findByNumber('1')).toMatchObject({ familyName: 'Müller', givenNames: 'Hans' });
    expect(oneColumn.findByNumber('2')).toMatchObject({ familyName: 'von der Heide', givenNames: 'Anna', birthDate: '1990-01-01' });

    const mapped = freshDirectory({ csvColumns: { 'KD-NUMMER': 'customerNumber', FAMNAME: 'familyName', GEBURTSTAG: 'birthDate' } });
    await mapped.importCsv(Buffer.from('KD-NUMMER;FAMNAME;GEBURTSTAG\nX-1;Öztürk;05.06.1977\n'));
    expect(mapped.search('oztur')[0]).toMatchObject({ customerNumber: 'X-1', birthDate: '1977-06-05' });
  });

  it('refuses a file it cannot map at all, naming what is missing, and changes nothing', async () => {
    const directory = freshDirectory();
    await expect(directory.importCsv(Buffer.from('Vorname;Nachname\nHans;Müller\n'))).rejects.toThrow(/customer number.*Vorname, Nachname/);
    await expect(directory.importCsv(Buffer.from(''))).rejects.toBeInstanceOf(CsvImportError);
    await expect(directory.importCsv(Buffer.from('Kundennummer;Ort\n1;Berlin\n'))).rejects.toThrow(/name/);
    expect(directory.status()).toMatchObject({ count: 0, lastError: { source: 'import' } });
  });
});

describe('through the station', () => {
  let station: Station;
  beforeAll(async () => {
    station = createStation({ dataDir: path.join(tmp.path(), 'station'), config: parseConfig({ stationId: 'customers-test', imaging: { workers: 1 } }, 'test'), watch: false });
    await station.start();
  });
  afterAll(async () => {
    await station.stop();
  });

  it('imports a 50,000-customer Windows-1252 export with a few broken rows; "Mueller" finds "Müller"', async () => {
    const customers = generateCustomers(50_000, 5);
    const rows = customerRows(customers);
    // Broken rows at known places (data row i is on line i + 2).
    const broken = new Map<number, string>([
      [10, 'customer number'],
      [20_000, 'not a real calendar date'],
      [49_999, 'fields'],
    ]);
    rows[10]![0] = '';
    rows[20_000]![4] = '30.02.1970';
    rows[49_999] = rows[49_999]!.slice(0, 5);
    const bytes = writeCsv([GERMAN_HEADER, ...rows], { delimiter: ';', encoding: 'windows-1252' });
    const events: string[] = [];
    station.on('ui', (event) => events.push(event.type));
    // Sent as the UI sends a file this size: in parts that fit the 1 MB a call may carry, then imported by upload id.
    const uploadId = 'test-upload-50k';
    const PART = 512 * 1024;
    for (let index = 0; index * PART < bytes.length; index++) {
      const part = await dispatch({ station, actor: 'tester' }, 'uploadCustomersCsvPart', { uploadId, index, contentBase64: bytes.subarray(index * PART, (index + 1) * PART).toString('base64') });
      expect(part).toMatchObject({ ok: true, value: { parts: index + 1 } });
    }
    const result = await dispatch({ station, actor: 'tester' }, 'importCustomersCsv', { fileName: 'export.csv', uploadId });
    expect(result.ok).toBe(true);
    const report = (result as { value: { imported: number; skipped: number; encoding: string; errors: { line: number; message: string }[] } }).value;
    expect(report).toMatchObject({ imported: 50_000 - 3, skipped: 3, encoding: 'windows-1252' });
    expect(report.errors.map((e) => e.line)).toEqual([...broken.keys()].map((i) => i + 2));
    for (const [i, reason] of broken) expect(report.errors.find((e) => e.line === i + 2)?.message).toContain(reason);
    expect(events).toContain('customers-changed');

    const search = await dispatch({ station, actor: 'tester' }, 'searchCustomers', { query: 'Mueller', limit: 5 });
    expect(search.ok).toBe(true);
    const items = (search as { value: { items: Record<string, unknown>[] } }).value.items;
    expect(items).toHaveLength(5);
    for (const item of items) {
      // Exactly the shape the assign panel is built against.
      expect(Object.keys(item).sort()).toEqual(['bgNumber', 'birthDate', 'customerNumber', 'familyName', 'givenNames', 'id', 'name'].sort());
      expect(item.familyName).toBe('Müller');
      expect(item.name).toBe(`Müller, ${item.givenNames as string}`);
    }
    const detail = await dispatch({ station, actor: 'tester' }, 'getCustomer', { id: items[0]!.id });
    expect(detail).toMatchObject({ ok: true, value: { id: items[0]!.id, source: 'csv' } });
    expect(await dispatch({ station, actor: 'tester' }, 'getCustomer', { id: 'cu_nobody' })).toMatchObject({ ok: false, code: 'not_found' });
    const status = await dispatch({ station, actor: 'tester' }, 'getDirectoryStatus', {});
    expect(status).toMatchObject({ ok: true, value: { count: 50_000 - 3, syncConfigured: false, lastImport: { fileName: 'export.csv' } } });
  }, 60_000);

  it('answers bad API input with clear codes', async () => {
    expect(await dispatch({ station, actor: 'tester' }, 'importCustomersCsv', { fileName: 'x.csv', contentBase64: Buffer.from('Vorname\nHans\n').toString('base64') })).toMatchObject({
      ok: false,
      code: 'csv_columns',
    });
    expect(await dispatch({ station, actor: 'tester' }, 'importCustomersCsv', { fileName: 'x.csv', contentBase64: 'not base64!' })).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(await dispatch({ station, actor: 'tester' }, 'searchCustomers', { query: 'x', limit: 0 })).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(await dispatch({ station, actor: 'tester' }, 'syncCustomers', {})).toMatchObject({ ok: false, code: 'sync_not_configured' });
    // Parts must come in order; an unknown or used upload id is named.
    expect(await dispatch({ station, actor: 'tester' }, 'uploadCustomersCsvPart', { uploadId: 'test-order', index: 1, contentBase64: 'QQ==' })).toMatchObject({ ok: false, code: 'upload_out_of_order' });
    expect(await dispatch({ station, actor: 'tester' }, 'importCustomersCsv', { fileName: 'x.csv', uploadId: 'test-upload-50k' })).toMatchObject({ ok: false, code: 'upload_unknown' });
    expect(await dispatch({ station, actor: 'tester' }, 'importCustomersCsv', { fileName: 'x.csv' })).toMatchObject({ ok: false, code: 'invalid_input' });
    // A small file in one call.
    const small = Buffer.from('Kundennummer;Nachname;Vorname\n900001;Einzeln;Eva\n').toString('base64');
    expect(await dispatch({ station, actor: 'tester' }, 'importCustomersCsv', { fileName: 'small.csv', contentBase64: small })).toMatchObject({ ok: true, value: { imported: 1 } });
  });
});

describe('import-customers CLI', () => {
  it('imports a file into a data folder and prints the report with bad rows by line', async () => {
    const file = await tmp.write('cli.csv', encodeWindows1252('Kundennummer;Nachname;Vorname;Geburtsdatum\r\n1;Weiß;Jörg;01.02.1980\r\n2;Kaputt;Datum;1980-13-01\r\n'));
    const dataDir = path.join(tmp.path(), 'cli-data');
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'main/cli.ts'), 'import-customers', file, '--data-dir', dataDir], { cwd: projectRoot, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(3);
    expect(run.stdout).toContain('Windows-1252');
    expect(run.stdout).toMatch(/New customers:\s+1/);
    expect(run.stdout).toMatch(/line 3: .*1980-13-01/);
    const db = openDatabase(path.join(dataDir, 'station.db'));
    open.push(db);
    expect(new CustomerDirectory(db).search('weiss')[0]?.name).toBe('Weiß, Jörg');
  }, 60_000);
});
