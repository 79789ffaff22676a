import { describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { useTempDir } from './support/temp-dir.js';
import { openSource, verifySource } from '../main/imaging/decode.js';
import { BadInputError, type BadInputCode } from '../main/imaging/bad-input.js';
import { sniffFormat } from '../main/imaging/probe.js';
import {
  docxHead,
  encryptedPdf,
  flipMiddle,
  garbagePdf,
  oleHead,
  pagelessPdf,
  pngBomb,
  randomBytes,
  svgFile,
  textFile,
  tinyImage,
  truncate,
} from './fixtures/bad-files.js';
import { greyPage, jpegGrey, joinTiffs, scannerPdf, tiffPage } from './fixtures/source-files.js';

const temp = useTempDir('bad-input-test-');
const write = temp.write;

/** Opens and verifies the file; returns the BadInputError it must throw. */
async function refusal(file: string): Promise<BadInputError> {
  let source;
  try {
    source = await openSource(file);
    await verifySource(source);
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError);
    return error as BadInputError;
  } finally {
    await source?.close();
  }
  throw new Error(`${path.basename(file)} was accepted`);
}

async function expectRefused(name: string, data: Buffer, code: BadInputCode, message: RegExp): Promise<BadInputError> {
  const error = await refusal(await write(name, data));
  expect({ code: error.code, message: error.message }).toMatchObject({ code, message: expect.stringMatching(message) });
  return error;
}

const SMALL = { dpi: 100, seed: 9 };

describe('refused files, each with its own code and a message naming the defect', () => {
  it('an empty file', async () => {
    await expectRefused('leer.pdf', Buffer.alloc(0), 'empty', /empty \(0 bytes\)/);
  });

  it('a truncated JPEG, PNG and TIFF', async () => {
    const page = await greyPage(SMALL);
    await expectRefused('cut.jpg', truncate(await jpegGrey(SMALL)), 'truncated', /JPEG ends before its last image row/);
    const png = await sharp(page.data, { raw: { width: page.width, height: page.height, channels: 1 } }).png().toBuffer();
    await expectRefused('cut.png', truncate(png), 'truncated', /PNG ends before its closing IEND/);
    await expectRefused('cut.tif', truncate(await tiffPage(page, 'lzw'), 0.5), 'truncated', /TIFF.*truncated file/);
    // A multi-page TIFF cut inside its second page names that page.
    const stack = joinTiffs([await tiffPage(page, 'lzw'), await tiffPage(page, 'deflate')]);
    const error = await expectRefused('cut-stack.tif', truncate(stack, 0.8), 'truncated', /page 2/);
    expect(error.message).toMatch(/truncated file/);
  });

  it('a JPEG with bytes flipped in the middle opens, and fails the integrity check as corrupt', async () => {
    const file = await write('flipped.jpg', flipMiddle(await jpegGrey(SMALL)));
    const source = await openSource(file);
    await expect(verifySource(source)).rejects.toMatchObject({ code: 'corrupt', message: expect.stringMatching(/JPEG has damaged image data: .*Corrupt JPEG data/) });
    await source.close();
  });

  it('random bytes named .jpg', async () => {
    await expectRefused('foto.jpg', randomBytes(5000), 'unknown_format', /first bytes \(13 .*\) match no image or PDF format/);
  });

  it('a text file and office files named as scans', async () => {
    await expectRefused('brief.pdf', textFile(), 'text_or_office', /plain text/);
    await expectRefused('antrag.pdf', docxHead(), 'text_or_office', /Word document \(\.docx\)/);
    await expectRefused('antrag.jpg', oleHead(), 'text_or_office', /old Microsoft Office document/);
  });

  it('an SVG, with or without an XML prolog, whatever its name', async () => {
    await expectRefused('scan.jpg', svgFile(false), 'svg', /SVG files are never opened: they can reference local files/);
    await expectRefused('scan.png', svgFile(true), 'svg', /SVG/);
    expect(sniffFormat(svgFile(true))).toBe('svg');
  });

  it('an encrypted PDF', async () => {
    await expectRefused('geschuetzt.pdf', await encryptedPdf(), 'pdf_encrypted', /PDF is encrypted/);
  });

  it('a broken PDF: garbage after the header, or cut short', async () => {
    await expectRefused('kaputt.pdf', garbagePdf(), 'pdf_broken', /no document catalog \(0 objects found/);
    const whole = await scannerPdf([{ data: await jpegGrey(SMALL), dpi: 100 }]);
    await expectRefused('abgeschnitten.pdf', truncate(whole, 0.7), 'pdf_broken', /ends before its %%EOF end marker/);
  });

  it('a PDF whose embedded JPEG is damaged fails the integrity check', async () => {
    const jpeg = await jpegGrey(SMALL);
    const pdf = await scannerPdf([{ data: jpeg, dpi: 100 }]);
    const at = pdf.indexOf(jpeg.subarray(0, 64));
    expect(at).toBeGreaterThan(0);
    const damaged = Buffer.from(pdf);
    const middle = at + Math.floor(jpeg.length / 2);
    damaged.set(flipMiddle(jpeg).subarray(middle - at, middle - at + 1024), middle);
    await expectRefused('beschaedigt.pdf', damaged, 'pdf_broken', /JPEG image on page 1 of the PDF is damaged/);
  });

  it('a PDF without pages', async () => {
    await expectRefused('leer.pdf', await pagelessPdf(), 'pdf_no_pages', /no pages/);
  });

  it('a PNG declaring 60,000 × 60,000 pixels, refused from its header', async () => {
    await expectRefused('riesig.png', pngBomb(), 'too_large', /PNG declares 60000 × 60000 pixels \(3600 MP\); a scan can be at most 44 MP/);
  });

  it('a 1 × 1 pixel image', async () => {
    await expectRefused('pixel.png', await tinyImage('png'), 'too_small', /only 1 × 1 pixels; a page needs at least 100 × 100/);
    await expectRefused('pixel.jpg', await tinyImage('jpeg'), 'too_small', /JPEG is only 1 × 1 pixels/);
  });

  it('a file deleted before it is read, and a folder', async () => {
    const file = await write('weg.jpg', await jpegGrey(SMALL));
    await fs.unlink(file);
    await expect(openSource(file)).rejects.toMatchObject({ code: 'vanished', message: expect.stringMatching(/disappeared/) });
    const folder = path.join(temp.path(), 'ordner.pdf');
    await fs.mkdir(folder);
    await expect(openSource(folder)).rejects.toMatchObject({ code: 'unreadable' });
  });

  it('keeps working on a file deleted after it was opened (its bytes are held)', async () => {
    const file = await write('gelesen.pdf', await scannerPdf([{ data: await jpegGrey(SMALL), dpi: 100 }]));
    const source = await openSource(file);
    await fs.unlink(file);
    await expect(source.readPage(0)).resolves.toMatchObject({ index: 0, jpegPassthrough: true });
    await expect(verifySource(source)).resolves.toBeUndefined();
    await source.close();
  });
});
