/**
 * The barcode reader on generated scans: QR, Data Matrix, Code 128 and Code 39 on letters at 200
 * and 300 dpi, fed upright, sideways and upside down, skewed up to 5°; read straight from the
 * scanner's JPEG and from the clean-up pipeline's output. Text and blank pages give no codes.
 * Also: barcode rules and their config checks, and the page worker task.
 */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { parseConfig } from '../main/config/schema.js';
import { openSource } from '../main/imaging/decode.js';
import { cleanPage } from '../main/imaging/pipeline.js';
import { loadPageImage } from '../main/mailroom/codes/page-image.js';
import { detectPageMarks } from '../main/mailroom/codes/page-marks.js';
import { readPageBarcodes } from '../main/mailroom/codes/read-barcodes.js';
import { applyBarcodeRules, compileBarcodeRules, defaultBarcodeRules } from '../main/mailroom/codes/rules.js';
import { WorkerPool } from '../main/workers/pool.js';
import { pageWorkerEntry, type WorkerResult, type WorkerTask } from '../main/workers/tasks.js';
import { angleBetween, barcodePng, formatOf, renderBarcodePage, type BarcodePageSpec, type CodeKind } from './fixtures/barcode-pages.js';
import { renderPageFile, rng } from './fixtures/pages.js';
import { useTempDir } from './support/temp-dir.js';

const temp = useTempDir('barcodes-');

const TEXTS: Record<CodeKind, string> = {
  qrcode: 'IS1|COVER|123A456789|Antrag|3',
  datamatrix: '12345BG0000001',
  code128: 'KDNR:123A456789',
  code39: 'KDNR 223A456789',
};

/** Every format at both resolutions in all four feed directions, each with its own seeded skew of 0–5°. */
function matrix(): BarcodePageSpec[] {
  const random = rng(20261125);
  const specs: BarcodePageSpec[] = [];
  for (const code of Object.keys(TEXTS) as CodeKind[]) {
    for (const dpi of [200, 300]) {
      for (const turnQuarters of [0, 1, 2, 3] as const) {
        const skew = Math.round((random() * 10 - 5) * 10) / 10;
        specs.push({ code, text: TEXTS[code], dpi, turnQuarters, skew, atMm: { x: 15 + random() * 45, y: 20 + random() * 200 }, seed: 1 + (specs.length % 3) });
      }
    }
  }
  return specs;
}

describe('barcode reader', () => {
  it('reads every format at 200 and 300 dpi, turned 0/90/180/270° and skewed up to 5°, at the right place', async () => {
    const failures: string[] = [];
    for (const spec of matrix()) {
      const page = await renderBarcodePage(spec);
      const codes = await readPageBarcodes(page.file);
      const label = `${spec.code} ${spec.dpi} dpi, ${(spec.turnQuarters ?? 0) * 90}° + ${spec.skew}°`;
      const hit = codes.find((c) => c.text === spec.text);
      if (!hit) {
        failures.push(`${label}: read ${JSON.stringify(codes.map((c) => c.text))}`);
        continue;
      }
      if (hit.format !== formatOf[spec.code]) failures.push(`${label}: format ${hit.format}`);
      if (codes.length !== 1) failures.push(`${label}: ${codes.length} codes`);
      const centre = { x: hit.position.x + hit.position.width / 2, y: hit.position.y + hit.position.height / 2 };
      const off = Math.hypot(centre.x - page.codeCentre.x, centre.y - page.codeCentre.y);
      if (off > spec.dpi * 0.2) failures.push(`${label}: centre ${off.toFixed(0)} px from where it was printed`);
      // Linear codes come back in quarter turns only; the skew they carry is within 6° of one.
      if (angleBetween(hit.orientation, page.codeTurn) > 6) failures.push(`${label}: orientation ${hit.orientation}, printed at ${page.codeTurn.toFixed(1)}`);
    }
    expect(failures).toEqual([]);
  });

  it('reads a small-module Code 128 (0.25 mm) skewed 5° at 200 dpi', async () => {
    for (const skew of [5, -5]) {
      const page = await renderBarcodePage({ code: 'code128', text: 'KDNR:323A456789-ANTRAG', dpi: 200, skew, moduleMm: 0.25, heightMm: 10, atMm: { x: 30, y: 150 } });
      expect((await readPageBarcodes(page.file)).map((c) => c.text)).toEqual(['KDNR:323A456789-ANTRAG']);
    }
  });

  it('reads two codes on one page, in reading order', async () => {
    const first = await renderBarcodePage({ code: 'qrcode', text: 'IS1|SEP', dpi: 300, atMm: { x: 20, y: 30 } });
    const raw = await sharp(first.file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const png = await barcodePng('code39', 'KDNR 423A456789', 300);
    const combined = await sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: 1 } })
      .composite([{ input: png, left: 300, top: 2600 }])
      .withDensity(300)
      .jpeg({ quality: 85 })
      .toBuffer();
    const codes = await readPageBarcodes(combined);
    expect(codes.map((c) => [c.format, c.text])).toEqual([
      ['QRCode', 'IS1|SEP'],
      ['Code39', 'KDNR 423A456789'],
    ]);
  });

  it('reads the codes on pages cleaned by the real pipeline (1-bit G4 and grey output)', async () => {
    const cases: BarcodePageSpec[] = [
      { code: 'code128', text: TEXTS.code128, dpi: 200, turnQuarters: 2, skew: 3.5 },
      { code: 'qrcode', text: TEXTS.qrcode, dpi: 300, turnQuarters: 1, skew: -2 },
      { code: 'datamatrix', text: TEXTS.datamatrix, dpi: 200, turnQuarters: 0, skew: 4.5 },
      { code: 'code39', text: TEXTS.code39, dpi: 300, turnQuarters: 0, skew: -5 },
    ];
    for (const [index, spec] of cases.entries()) {
      const page = await renderBarcodePage({ ...spec, atMm: { x: 25, y: 240 } });
      const file = await temp.write(`cleaned-${index}.jpg`, page.file);
      const source = await openSource(file);
      try {
        const cleaned = await cleanPage(await source.readPage(0), { colourMode: index % 2 ? 'grey' : 'bw', jpegQuality: 80, minSkewDegrees: 0.1, maxSkewDegrees: 15 });
        expect(cleaned.encoded.format).toBe(index % 2 ? 'jpeg' : 'g4tiff');
        const marks = await detectPageMarks(cleaned.encoded.data, { dpi: cleaned.encoded.dpi });
        expect(marks.barcodes.map((c) => c.text), `${spec.code} after clean-up`).toEqual([spec.text]);
      } finally {
        await source.close();
      }
    }
  });

  it('reads a cleaned page from the bits still in memory exactly as from its G4 file', async () => {
    const cases: BarcodePageSpec[] = [
      { code: 'code128', text: TEXTS.code128, dpi: 300, turnQuarters: 0, skew: 2.5 },
      { code: 'datamatrix', text: TEXTS.datamatrix, dpi: 200, turnQuarters: 2, skew: -4 },
      { code: 'qrcode', text: TEXTS.qrcode, dpi: 300, turnQuarters: 1, skew: 1 },
    ];
    for (const [index, spec] of cases.entries()) {
      const page = await renderBarcodePage({ ...spec, atMm: { x: 30, y: 60 + index * 70 } });
      const source = await openSource(await temp.write(`bits-${index}.jpg`, page.file));
      try {
        const cleaned = await cleanPage(await source.readPage(0), { colourMode: 'bw', jpegQuality: 80, minSkewDegrees: 0.1, maxSkewDegrees: 15 });
        const { bits, data, dpi } = cleaned.encoded;
        expect(bits, 'the clean-up hands over the rows it coded').toBeDefined();
        const fromFile = await loadPageImage(data, dpi);
        const fromBits = await loadPageImage(bits!, dpi);
        expect(Buffer.from(fromBits.small.data).equals(Buffer.from(fromFile.small.data))).toBe(true);
        for (const rect of [{ x: 0, y: 0, width: 97, height: 41 }, { x: 333, y: 517, width: 400, height: 301 }, { x: fromFile.width - 70, y: fromFile.height - 9, width: 70, height: 9 }]) {
          const [a, b] = [await fromFile.crop(rect), await fromBits.crop(rect)];
          expect({ ...b, data: null }).toEqual({ ...a, data: null });
          expect(Buffer.from(b.data).equals(Buffer.from(a.data)), JSON.stringify(rect)).toBe(true);
        }
        const [viaFile, viaBits] = [await detectPageMarks(data, { dpi }), await detectPageMarks(bits!, { dpi })];
        expect({ ...viaBits, ms: 0 }).toEqual({ ...viaFile, ms: 0 });
        expect(viaBits.barcodes.map((c) => c.text)).toEqual([spec.text]);
      } finally {
        await source.close();
      }
    }
  });

  it('finds no codes on text, table and blank pages', async () => {
    const pages = [
      { kind: 'letter', dpi: 200 },
      { kind: 'dense', dpi: 300 },
      { kind: 'table', dpi: 200 },
      { kind: 'table', dpi: 300 },
      { kind: 'columns', dpi: 200 },
    ] as const;
    for (const [index, { kind, dpi }] of pages.entries()) {
      {
        const file = await renderPageFile({ kind, dpi, seed: 7, angle: 1.5 }, index % 2 ? 'jpeg' : 'tiff-g4');
        // The station reads fast; the whole-page search (thorough) must not see codes in text either.
        const marks = await detectPageMarks(file, { mode: index < 2 ? 'thorough' : 'fast' });
        expect(marks.barcodes, `${kind} ${dpi}`).toEqual([]);
        expect(marks.separator).toBeNull();
        expect(marks.patchCode).toBeNull();
        expect(marks.coverSheet).toBeNull();
      }
    }
    const white = await sharp(Buffer.alloc(1654 * 2339, 255), { raw: { width: 1654, height: 2339, channels: 1 } }).withDensity(200).jpeg().toBuffer();
    expect((await detectPageMarks(white)).barcodes).toEqual([]);
  });

  it('takes raw pixels as well as files, and says which resolution it read at', async () => {
    const page = await renderBarcodePage({ code: 'datamatrix', text: '12345BG0000002', dpi: 300 });
    const raw = await sharp(page.file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const marks = await detectPageMarks({ data: raw.data, width: raw.info.width, height: raw.info.height, channels: 1 }, { dpi: 300 });
    expect(marks.dpi).toBe(300);
    expect(marks.barcodes.map((c) => c.text)).toEqual(['12345BG0000002']);
    expect(marks.assignments).toEqual([{ rule: 'bg-number', barcodeIndex: 0, customerNumber: '12345BG0000002', documentType: null, expectedPages: null }]);
  });

  it('reads a page in the page worker pool (task detect_page_marks)', async () => {
    const page = await renderBarcodePage({ code: 'qrcode', text: 'IS1|COVER|523A456789|Kontoauszug|', dpi: 200, turnQuarters: 2 });
    const file = await temp.write('worker-page.jpg', page.file);
    const pool = new WorkerPool<WorkerTask, WorkerResult>(pageWorkerEntry, 1);
    try {
      const answer = await pool.run({ type: 'detect_page_marks', task: { imagePath: file, dpi: 200, rules: defaultBarcodeRules } });
      expect(answer.type).toBe('detect_page_marks');
      const marks = answer.type === 'detect_page_marks' ? answer.result : null;
      expect(marks?.coverSheet).toEqual({ customerNumber: '523A456789', documentType: 'Kontoauszug', expectedPages: null });
      expect(marks?.separator).toBeNull();
      // A file that is no image fails the task with a message, not the worker.
      const bad = await temp.write('not-an-image.jpg', Buffer.from('hello'));
      await expect(pool.run({ type: 'detect_page_marks', task: { imagePath: bad } })).rejects.toThrow();
      const again = await pool.run({ type: 'detect_page_marks', task: { imagePath: file } });
      expect(again.type === 'detect_page_marks' && again.result.barcodes.length).toBe(1);
    } finally {
      await pool.close();
    }
  });
});

describe('barcode rules', () => {
  const rules = compileBarcodeRules(defaultBarcodeRules);

  it('turn the station cover payload, BG numbers and KDNR labels into assignments', () => {
    const matches = applyBarcodeRules(
      [
        { format: 'QRCode', text: 'IS1|COVER|123A%7C45|Arbeitsunf%C3%A4higkeitsbescheinigung|12' },
        { format: 'Code128', text: 'unrelated 42' },
        { format: 'DataMatrix', text: 'Aktenzeichen 12345BG0000001 / 2026' },
        { format: 'Code39', text: 'KDNR 223A456789' },
        // A KDNR label as QR: the customer-label rule only takes linear codes.
        { format: 'QRCode', text: 'KDNR 223A456789' },
      ],
      rules,
    );
    expect(matches).toEqual([
      { rule: 'station-cover', barcodeIndex: 0, customerNumber: '123A|45', documentType: 'Arbeitsunfähigkeitsbescheinigung', expectedPages: 12 },
      { rule: 'bg-number', barcodeIndex: 2, customerNumber: '12345BG0000001', documentType: null, expectedPages: null },
      { rule: 'customer-label', barcodeIndex: 3, customerNumber: '223A456789', documentType: null, expectedPages: null },
    ]);
  });

  it('use configured patterns with named groups and aliases, first matching rule per code', () => {
    const own = compileBarcodeRules([
      { name: 'typed', pattern: '^(?<customerNumber>\\d{6})-(?<documentType>[A-Z]+)(?:-(?<expectedPages>\\d+))?$', formats: ['Code128'] },
      { name: 'fallback', pattern: '(?<customer>\\d+)' },
    ]);
    expect(applyBarcodeRules([{ format: 'Code128', text: '654321-ANTRAG-4' }], own)).toEqual([
      { rule: 'typed', barcodeIndex: 0, customerNumber: '654321', documentType: 'ANTRAG', expectedPages: 4 },
    ]);
    expect(applyBarcodeRules([{ format: 'QRCode', text: '654321-ANTRAG-4' }], own)[0]).toMatchObject({ rule: 'fallback', customerNumber: '654321' });
    expect(applyBarcodeRules([{ format: 'QRCode', text: 'no digits' }], own)).toEqual([]);
  });

  it('are checked at config load: a bad pattern is named by its field', () => {
    const load = (barcodeRules: unknown) => () => parseConfig({ mailroom: { barcodeRules } }, 'station.json');
    expect(load([{ name: 'ok', pattern: '(?<customer>\\d+)' }, { name: 'broken', pattern: '(?<customer>\\d+' }])).toThrow(/mailroom\.barcodeRules\.1\.pattern: not a valid regular expression/);
    expect(load([{ name: 'nogroups', pattern: '\\d+' }])).toThrow(/mailroom\.barcodeRules\.0\.pattern: needs at least one named group/);
    expect(load([{ name: 'global', pattern: '(?<customer>\\d+)', flags: 'g' }])).toThrow(/mailroom\.barcodeRules\.0\.flags/);
    expect(load([{ name: 'format', pattern: '(?<customer>\\d+)', formats: ['EAN13'] }])).toThrow(/mailroom\.barcodeRules\.0\.formats\.0/);
    expect(parseConfig({}, 'defaults').mailroom.barcodeRules.map((r) => r.name)).toEqual(['station-cover', 'bg-number', 'customer-label']);
  });
});
