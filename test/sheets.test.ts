/**
 * The station's sheets, printed and scanned back: the separator and cover sheet PDFs rendered by
 * poppler at 200 and 300 dpi (upright and upside down) and read by the station's own reader; their
 * text extracted by poppler (umlauts included). Cover sheets through the contract (a real station
 * with customers imported into its directory) and through the CLI; the QR payload format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { dispatch } from '../main/api/dispatch.js';
import { main as cli } from '../main/cli.js';
import { parseConfig } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';
import { detectPageMarks, type PageMarks } from '../main/mailroom/codes/page-marks.js';
import { makeCoverSheetPdf } from '../main/mailroom/sheets/cover-sheet.js';
import { formatCoverPayload, formatSeparatorPayload, parseStationPayload } from '../main/mailroom/sheets/payload.js';
import { makeSeparatorSheetPdf } from '../main/mailroom/sheets/separator-sheet.js';
import { renderPdfPageGrey, requirePdftoppm } from './fixtures/render-pdf.js';
import { useTempDir } from './support/temp-dir.js';

const temp = useTempDir('sheets-');

/** Prints the PDF's first page at `dpi` (poppler), optionally upside down, and reads its marks. */
async function scanBack(pdf: Uint8Array, dpi: number, upsideDown = false): Promise<PageMarks> {
  const page = await renderPdfPageGrey(pdf, 1, dpi);
  const raw = upsideDown ? await sharp(page.data, { raw: { width: page.width, height: page.height, channels: 1 } }).rotate(180).extractChannel(0).raw().toBuffer() : page.data;
  return detectPageMarks({ data: raw, width: page.width, height: page.height, channels: 1 }, { dpi });
}

function pdfText(pdf: Uint8Array): string {
  const file = path.join(temp.path(), `text-${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

describe('station payload', () => {
  it('round-trips separator and cover payloads, escaping | and % and anything beyond Latin-1', () => {
    expect(formatSeparatorPayload()).toBe('IS1|SEP');
    expect(parseStationPayload('IS1|SEP')).toEqual({ kind: 'separator' });
    const cover = { customerNumber: '12|3%4', documentType: 'Arbeitsunfähigkeitsbescheinigung', expectedPages: 7 };
    const text = formatCoverPayload(cover);
    expect(text).toBe('IS1|COVER|12%7C3%254|Arbeitsunfähigkeitsbescheinigung|7');
    expect(parseStationPayload(text)).toEqual({ kind: 'cover', ...cover });
    // Latin-1 (ó) stays as it is; Ł, ź and ✓ are escaped as UTF-8.
    expect(formatCoverPayload({ customerNumber: 'A1', documentType: 'Łódź ✓' })).toBe('IS1|COVER|A1|%C5%81ód%C5%BA %E2%9C%93|');
    expect(parseStationPayload('IS1|COVER|A1|%C5%81ód%C5%BA %E2%9C%93|')).toEqual({ kind: 'cover', customerNumber: 'A1', documentType: 'Łódź ✓', expectedPages: null });
    expect(parseStationPayload('IS1|COVER|A1||')).toEqual({ kind: 'cover', customerNumber: 'A1', documentType: null, expectedPages: null });
    for (const other of ['IS2|SEP', 'IS1|SEP|x', 'IS1|COVER||Antrag|2', 'IS1|COVER|A1|Antrag|zwei', 'KDNR 123', '']) expect(parseStationPayload(other), other).toBeNull();
    expect(() => formatCoverPayload({ customerNumber: ' ' })).toThrow(/customer number/);
    expect(() => formatCoverPayload({ customerNumber: 'A', expectedPages: 0 })).toThrow(/page count/);
  });
});

describe('separator sheet', () => {
  let pdf: Uint8Array;
  beforeAll(async () => {
    requirePdftoppm();
    pdf = await makeSeparatorSheetPdf({ date: new Date('2026-11-25T10:00:00Z') });
  });

  it('is read back as the station separator (QR and Patch T) at 200 and 300 dpi, upright and upside down', async () => {
    for (const [dpi, upsideDown] of [
      [200, false],
      [300, true],
      [200, true],
    ] as const) {
      const marks = await scanBack(pdf, dpi, upsideDown);
      expect(marks.separator, `${dpi} dpi${upsideDown ? ' upside down' : ''}`).toBe('station-sheet');
      expect(marks.barcodes.map((b) => [b.format, b.text])).toEqual([['QRCode', 'IS1|SEP']]);
      expect(marks.patchCode?.type).toBe('T');
      expect(marks.coverSheet).toBeNull();
      expect(marks.assignments).toEqual([]);
    }
  });

  it('says "Trennblatt" in big letters, with its instructions in German', () => {
    const text = pdfText(pdf);
    expect(text).toContain('Trennblatt');
    expect(text).toContain('Nicht verkleinern und nicht über die Balken schreiben: ihre Größe ist der Code.');
    expect(pdf.length).toBeLessThan(20_000);
  });

  it('is a separator by its Patch T bars alone (QR covered by a sticker)', async () => {
    const page = await renderPdfPageGrey(pdf, 1, 200);
    // White out the middle of the page: QR and text gone, bars left.
    const covered = Buffer.from(page.data);
    for (let y = Math.round(page.height * 0.15); y < Math.round(page.height * 0.85); y++) covered.fill(255, y * page.width, (y + 1) * page.width);
    const marks = await detectPageMarks({ data: covered, width: page.width, height: page.height, channels: 1 }, { dpi: 200 });
    expect(marks.barcodes).toEqual([]);
    expect(marks.separator).toBe('patch-t');
  });
});

describe('cover sheet', () => {
  it('carries number, type and page count in its QR, and the name in plain text with umlauts', async () => {
    const pdf = await makeCoverSheetPdf({ customerNumber: '123A456789', customerName: 'Müller-Weiß, Jürgen', documentType: 'Arbeitsunfähigkeitsbescheinigung', expectedPages: 3, date: new Date(2026, 10, 25) });
    for (const [dpi, upsideDown] of [
      [300, false],
      [200, true],
    ] as const) {
      const marks = await scanBack(pdf, dpi, upsideDown);
      expect(marks.coverSheet).toEqual({ customerNumber: '123A456789', documentType: 'Arbeitsunfähigkeitsbescheinigung', expectedPages: 3 });
      expect(marks.assignments).toEqual([{ rule: 'station-cover', barcodeIndex: 0, customerNumber: '123A456789', documentType: 'Arbeitsunfähigkeitsbescheinigung', expectedPages: 3 }]);
      expect(marks.separator).toBeNull();
    }
    const text = pdfText(pdf);
    for (const expected of ['Deckblatt', 'Müller-Weiß, Jürgen', '123A456789', 'Arbeitsunfähigkeitsbescheinigung', '25.11.2026', 'Seiten (erwartet)']) expect(text).toContain(expected);
  });

  it('prints names beyond WinAnsi without failing (accents dropped, never a crash)', async () => {
    const pdf = await makeCoverSheetPdf({ customerNumber: 'X1', customerName: 'Łukasiewicz, Ayşe Çelik 王', documentType: null });
    const text = pdfText(pdf);
    expect(text).toContain('Lukasiewicz, Ayse Çelik ?');
    expect(text).not.toContain('Seiten (erwartet)');
    expect((await scanBack(pdf, 200)).coverSheet).toEqual({ customerNumber: 'X1', documentType: null, expectedPages: null });
  });
});

describe('sheets through the contract and the CLI', () => {
  let station: Station;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = path.join(temp.path(), 'station');
    station = await createStation({ dataDir, config: parseConfig({ documentTypes: ['Antrag', 'Kontoauszug', 'Sonstiges'] }, 'test'), watch: false });
    await station.start();
    const csv = ['Kundennummer;BG-Nummer;Nachname;Vorname', '123A456789;12345BG0000001;Öztürk;Ayşe', '223A456789;12345BG0000002;Schmidt;Jürgen', '323A456789;12345BG0000002;Schmidt;Petra'].join('\r\n');
    await station.customers.importCsv(Buffer.from(csv, 'utf8'), 'kunden.csv');
  });

  afterAll(async () => {
    await station?.stop();
  });

  const call = (name: string, input: unknown) => dispatch({ station, actor: 'poststelle' }, name, input);

  it('makeSeparatorSheet gives the PDF as base64', async () => {
    const result = await call('makeSeparatorSheet', {});
    if (!result.ok) throw new Error(result.message);
    const value = result.value as { fileName: string; pdfBase64: string; bytes: number };
    expect(value.fileName).toBe('Trennblatt.pdf');
    const pdf = Buffer.from(value.pdfBase64, 'base64');
    expect(pdf.length).toBe(value.bytes);
    expect((await scanBack(pdf, 200)).separator).toBe('station-sheet');
  });

  it('makeCoverSheet looks the customer up (also by a one-person BG number) and uses the station spelling of the type', async () => {
    const result = await call('makeCoverSheet', { customerNumber: '12345BG0000001', documentType: 'kontoauszug', expectedPages: 2 });
    if (!result.ok) throw new Error(result.message);
    const value = result.value as { fileName: string; pdfBase64: string; customerNumber: string; customerName: string; documentType: string };
    expect(value).toMatchObject({ customerNumber: '123A456789', documentType: 'Kontoauszug', fileName: 'Deckblatt-123A456789.pdf' });
    expect(value.customerName).toContain('Öztürk');
    const pdf = Buffer.from(value.pdfBase64, 'base64');
    expect((await scanBack(pdf, 300)).coverSheet).toEqual({ customerNumber: '123A456789', documentType: 'Kontoauszug', expectedPages: 2 });
    expect(pdfText(pdf)).toContain('Öztürk');
  });

  it('makeCoverSheet refuses unknown customers, a household of several, unknown types and bad input with stable codes', async () => {
    expect(await call('makeCoverSheet', { customerNumber: '999Z000001', documentType: 'Antrag' })).toMatchObject({ ok: false, code: 'unknown_customer' });
    expect(await call('makeCoverSheet', { customerNumber: '12345BG0000002', documentType: 'Antrag' })).toMatchObject({ ok: false, code: 'unknown_customer' });
    const type = await call('makeCoverSheet', { customerNumber: '123A456789', documentType: 'Bescheid' });
    expect(type).toMatchObject({ ok: false, code: 'unknown_document_type' });
    expect(type.ok ? '' : type.message).toContain('Antrag, Kontoauszug, Sonstiges');
    expect(await call('makeCoverSheet', { customerNumber: '123A456789', documentType: 'Antrag', expectedPages: 0 })).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(await call('makeCoverSheet', { customerNumber: '123A456789', documentType: 'Antrag', extra: 1 })).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(await call('makeCoverSheet', { customerNumber: '<script>', documentType: 'Antrag' })).toMatchObject({ ok: false, code: 'invalid_input' });
  });

  it('the CLI writes both sheets; cover-sheet reads the directory beside the running station, --name prints anyone', async () => {
    const logs: string[] = [];
    const errors: string[] = [];
    const log = console.log;
    const error = console.error;
    console.log = (...args: unknown[]) => logs.push(args.join(' '));
    console.error = (...args: unknown[]) => errors.push(args.join(' '));
    try {
      const separator = path.join(temp.path(), 'trennblatt.pdf');
      expect(await cli(['separator-sheet', '--out', separator])).toBe(0);
      expect((await scanBack(fs.readFileSync(separator), 200)).separator).toBe('station-sheet');

      const cover = path.join(temp.path(), 'deckblatt.pdf');
      expect(await cli(['cover-sheet', '--customer', '223A456789', '--type', 'Antrag', '--pages', '4', '--out', cover, '--data-dir', dataDir])).toBe(0);
      expect((await scanBack(fs.readFileSync(cover), 200)).coverSheet).toEqual({ customerNumber: '223A456789', documentType: 'Antrag', expectedPages: 4 });
      expect(pdfText(fs.readFileSync(cover))).toContain('Schmidt, Jürgen');
      // The console names the file and number, never the customer.
      expect(logs.join('\n')).toContain('223A456789');
      expect(logs.join('\n')).not.toContain('Schmidt');

      const unknown = path.join(temp.path(), 'unknown.pdf');
      expect(await cli(['cover-sheet', '--customer', '999Z000001', '--type', 'Antrag', '--out', unknown, '--data-dir', dataDir])).toBe(1);
      expect(errors.join('\n')).toMatch(/No customer with the number 999Z000001.*--name/s);
      expect(fs.existsSync(unknown)).toBe(false);
      expect(await cli(['cover-sheet', '--customer', '999Z000001', '--type', 'Antrag', '--name', 'Neu, Nora', '--out', unknown, '--data-dir', dataDir])).toBe(0);
      expect(pdfText(fs.readFileSync(unknown))).toContain('Neu, Nora');

      expect(await cli(['cover-sheet', '--customer', '223A456789', '--type', 'Antrag', '--pages', 'drei', '--out', unknown, '--data-dir', dataDir])).toBe(1);
      expect(await cli(['cover-sheet', '--customer', '223A456789', '--out', unknown])).toBe(1);
      expect(errors.join('\n')).toContain('--pages must be a whole number');
    } finally {
      console.log = log;
      console.error = error;
    }
  });
});
