/**
 * The G4 run decoder (main/imaging/g4-runs.ts; the marks reader's and the JBIG2 recoding's)
 * against libvips/libtiff on the same files: generated text, table and barcode pages at 200 and 300 dpi, written by libvips
 * (strips, both photometric senses), by the real clean-up (one tile), and re-packed with the
 * reverse fill order. Every pixel must match; the small copy must be the exact box average.
 * Files it does not know come back as null (the caller then decodes with libvips).
 */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { openSource } from '../main/imaging/decode.js';
import { cleanPage } from '../main/imaging/pipeline.js';
import { decodeG4Tiff, paintRuns, shrinkRuns, type RunImage } from '../main/imaging/g4-runs.js';
import { loadPageImage } from '../main/mailroom/codes/page-image.js';
import { renderBarcodePage } from './fixtures/barcode-pages.js';
import { renderPageFile } from './fixtures/pages.js';
import { useTempDir } from './support/temp-dir.js';

const temp = useTempDir('g4-runs-');

async function libvipsPixels(file: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(1);
  return { data, width: info.width, height: info.height };
}

async function expectSamePixels(file: Buffer, label: string): Promise<RunImage> {
  const runs = decodeG4Tiff(file);
  expect(runs, label).not.toBeNull();
  const expected = await libvipsPixels(file);
  const painted = paintRuns(runs!, { x: 0, y: 0, width: runs!.width, height: runs!.height });
  expect([painted.width, painted.height], label).toEqual([expected.width, expected.height]);
  let differing = 0;
  for (let i = 0; i < expected.data.length; i++) if (painted.data[i] !== expected.data[i]) differing++;
  expect(differing, `${label}: pixels that differ from libvips`).toBe(0);
  return runs!;
}

/** The TIFF's strips or tiles (offsets 273/324, counts 279/325) and the tags this test needs. */
function segmentsOf(file: Buffer): { width: number; height: number; rowsPerStrip: number; segments: Buffer[] } {
  const little = file[0] === 0x49;
  const u16 = (at: number) => (little ? file.readUInt16LE(at) : file.readUInt16BE(at));
  const u32 = (at: number) => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const ifd = u32(4);
  const tags = new Map<number, number[]>();
  for (let i = 0; i < u16(ifd); i++) {
    const at = ifd + 2 + i * 12;
    const type = u16(at + 2);
    const count = u32(at + 4);
    const size = type === 3 ? 2 : 4;
    const from = size * count <= 4 ? at + 8 : u32(at + 8);
    tags.set(u16(at), Array.from({ length: count }, (_, k) => (size === 2 ? u16(from + 2 * k) : u32(from + 4 * k))));
  }
  const offsets = tags.get(273)!;
  const counts = tags.get(279)!;
  return { width: tags.get(256)![0], height: tags.get(257)![0], rowsPerStrip: tags.get(278)![0], segments: offsets.map((o, i) => file.subarray(o, o + counts[i])) };
}

/** A little-endian TIFF of G4 strips with the fill order and photometric sense given. */
function packTiff(width: number, height: number, rowsPerStrip: number, strips: Buffer[], photometric: 0 | 1, fillOrder: 1 | 2): Buffer {
  const entries: [number, number, number[]][] = [
    [256, 4, [width]],
    [257, 4, [height]],
    [258, 3, [1]],
    [259, 3, [4]],
    [262, 3, [photometric]],
    [266, 3, [fillOrder]],
    [273, 4, []],
    [277, 3, [1]],
    [278, 4, [rowsPerStrip]],
    [279, 4, strips.map((s) => s.length)],
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const arrays = 8 + ifdSize;
  const dataStart = arrays + 8 * strips.length;
  const offsets: number[] = [];
  let at = dataStart;
  for (const strip of strips) {
    offsets.push(at);
    at += strip.length;
  }
  entries[6][2] = offsets;
  const out = Buffer.alloc(at);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(8, 4);
  out.writeUInt16LE(entries.length, 8);
  let extra = arrays;
  entries.forEach(([tag, type, values], i) => {
    const e = 10 + i * 12;
    out.writeUInt16LE(tag, e);
    out.writeUInt16LE(type, e + 2);
    out.writeUInt32LE(values.length, e + 4);
    if (values.length === 1) {
      if (type === 3) out.writeUInt16LE(values[0], e + 8);
      else out.writeUInt32LE(values[0], e + 8);
    } else {
      out.writeUInt32LE(extra, e + 8);
      for (const v of values) {
        out.writeUInt32LE(v, extra);
        extra += 4;
      }
    }
  });
  const reverse = (b: number) => {
    let r = 0;
    for (let k = 0; k < 8; k++) if (b & (1 << k)) r |= 0x80 >> k;
    return r;
  };
  strips.forEach((strip, i) => {
    for (let k = 0; k < strip.length; k++) out[offsets[i] + k] = fillOrder === 2 ? reverse(strip[k]) : strip[k];
  });
  return out;
}

describe('G4 run decoder', () => {
  it('decodes libvips G4 files pixel for pixel: text, tables and barcodes, 200 and 300 dpi, both photometric senses', async () => {
    const pages = [
      { kind: 'letter', dpi: 200, angle: 0 },
      { kind: 'dense', dpi: 300, angle: -2.5 },
      { kind: 'table', dpi: 300, angle: 1.5 },
    ] as const;
    for (const spec of pages) {
      const file = await renderPageFile({ ...spec, seed: 5 }, 'tiff-g4');
      const runs = await expectSamePixels(file, `${spec.kind} ${spec.dpi}`);
      expect(Math.round(runs.density!)).toBe(spec.dpi);
      const raw = await sharp(file).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
      const minIsWhite = await sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: 1 } }).toColourspace('b-w').tiff({ compression: 'ccittfax4', bitdepth: 1, miniswhite: true }).toBuffer();
      await expectSamePixels(minIsWhite, `${spec.kind} ${spec.dpi} min-is-white`);
    }
    const coded = await renderBarcodePage({ code: 'datamatrix', text: '12345BG0000003', dpi: 300, skew: 3, turnQuarters: 1 });
    const g4 = await sharp(coded.file).extractChannel(0).threshold(160).toColourspace('b-w').tiff({ compression: 'ccittfax4', bitdepth: 1 }).toBuffer();
    await expectSamePixels(g4, 'Data Matrix page');
  });

  it("decodes the clean-up's own page files (one tile per page)", async () => {
    const scanned = await renderBarcodePage({ code: 'code128', text: 'KDNR:123A456789', dpi: 200, skew: 2.5, turnQuarters: 2 });
    const source = await openSource(await temp.write('scan.jpg', scanned.file));
    try {
      const cleaned = await cleanPage(await source.readPage(0), { colourMode: 'bw', jpegQuality: 80, minSkewDegrees: 0.1, maxSkewDegrees: 15 });
      expect(cleaned.encoded.format).toBe('g4tiff');
      await expectSamePixels(Buffer.from(cleaned.encoded.data), 'cleaned page');
    } finally {
      await source.close();
    }
  });

  it('reads strips in either fill order', async () => {
    const file = await renderPageFile({ kind: 'columns', dpi: 200, seed: 3 }, 'tiff-g4');
    const { width, height, rowsPerStrip, segments } = segmentsOf(file);
    expect(segments.length).toBeGreaterThan(1);
    const expected = await libvipsPixels(file);
    for (const fillOrder of [1, 2] as const) {
      const packed = packTiff(width, height, rowsPerStrip, segments, 1, fillOrder);
      const runs = decodeG4Tiff(packed)!;
      expect(runs, `fill order ${fillOrder}`).not.toBeNull();
      const painted = paintRuns(runs, { x: 0, y: 0, width, height });
      expect(Buffer.compare(Buffer.from(painted.data), expected.data), `fill order ${fillOrder}`).toBe(0);
    }
  });

  it('shrinks to the exact box average and paints crops clipped to the page', async () => {
    const file = await renderPageFile({ kind: 'letter', dpi: 300, seed: 9 }, 'tiff-g4');
    const runs = decodeG4Tiff(file)!;
    const full = await libvipsPixels(file);
    const factor = 3;
    const small = shrinkRuns(runs, factor);
    expect([small.width, small.height]).toEqual([Math.floor(full.width / factor), Math.floor(full.height / factor)]);
    let worst = 0;
    for (let sy = 0; sy < small.height; sy += 7) {
      for (let sx = 0; sx < small.width; sx++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) sum += full.data[(sy * factor + dy) * full.width + sx * factor + dx];
        worst = Math.max(worst, Math.abs(small.data[sy * small.width + sx] - sum / (factor * factor)));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    const crop = paintRuns(runs, { x: full.width - 50, y: -20, width: 100, height: 60 });
    expect([crop.width, crop.height]).toEqual([50, 40]);
    for (let row = 0; row < 40; row++) expect(Buffer.compare(Buffer.from(crop.data.subarray(row * 50, row * 50 + 50)), full.data.subarray(row * full.width + full.width - 50, (row + 1) * full.width))).toBe(0);
  });

  it('gives null for what it does not read, and the page is then read by libvips', async () => {
    const file = await renderPageFile({ kind: 'letter', dpi: 200, seed: 2 }, 'tiff-g4');
    const raw = await sharp(file).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    const tiled = await sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: 1 } }).toColourspace('b-w').tiff({ compression: 'ccittfax4', bitdepth: 1, tile: true, tileWidth: 256, tileHeight: 256 }).withDensity(200).toBuffer();
    expect(decodeG4Tiff(tiled)).toBeNull();
    expect(decodeG4Tiff(await renderPageFile({ kind: 'letter', dpi: 200 }, 'jpeg'))).toBeNull();
    expect(decodeG4Tiff(Buffer.from('II*\0garbage'))).toBeNull();
    // Coding cut short: not a page this reader can vouch for.
    const { width, rowsPerStrip, segments } = segmentsOf(file);
    expect(decodeG4Tiff(packTiff(width, rowsPerStrip, rowsPerStrip, [segments[0]], 1, 1))).not.toBeNull();
    expect(decodeG4Tiff(packTiff(width, rowsPerStrip, rowsPerStrip, [segments[0].subarray(0, segments[0].length >> 1)], 1, 1))).toBeNull();
    const page = await loadPageImage(tiled);
    expect([page.width, page.height, page.dpi]).toEqual([raw.info.width, raw.info.height, 200]);
    const crop = await page.crop({ x: 10, y: 20, width: 30, height: 40 });
    expect([crop.x, crop.y, crop.width, crop.height]).toEqual([10, 20, 30, 40]);
  });
});
