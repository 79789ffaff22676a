/**
 * The benchmark's scans: 300-dpi A4 pages drawn by test/fixtures/pages.ts, kept in a cache under
 * the system temp folder (never in the repository) so a rerun starts in seconds instead of minutes.
 *
 * Rendering a page (SVG, then the turn) costs about a second; encoding it costs a tenth of that.
 * So each base page is rendered once and every file derived from it is encoded from the same
 * pixels: the grey JPEG, the black-and-white G4 TIFF, and the "variants" that make a 1,000-page
 * batch out of 200 drawings. A variant carries one dark pixel in the margin: its bytes (and
 * pixels) differ, so the station's duplicate check — a hash of the bytes — treats it as a new
 * scan, as it would a real rescan, while the work per page stays that of a real page.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { renderPageRaw, type PageKind } from '../fixtures/pages.js';
import { scannerPaper } from './texture.js';

export const BENCH_KINDS = ['letter', 'dense', 'table', 'columns'] as const satisfies readonly PageKind[];
export type BenchKind = (typeof BENCH_KINDS)[number];
export type BenchFormat = 'jpeg' | 'tiff-g4';

/** Bump when the files written here change for the same spec (the fixture module is hashed anyway). */
const GENERATOR_VERSION = 1;
const DPI = 300;
/** Skew magnitudes of turned pages, as mailroom scanners produce them: mostly small, a few large. */
const SKEW_MAGNITUDES = [0.5, 0.8, 1.2, 1.7, 2.5, 3.5, 5, 6.5, 8];

export interface BenchPage {
  /** Which drawing: its kind, words and angle follow from the index alone. */
  base: number;
  kind: BenchKind;
  /** Content turned counter-clockwise by this many degrees (the station's sign); 0 = straight. */
  angle: number;
  format: BenchFormat;
  /** 0 = the page as drawn; n > 0 = the same page with one marked pixel, distinct bytes. */
  variant: number;
  /**
   * 'textured': scanner paper (texture.ts: grain, uneven light, show-through, sensor noise) under
   * the same drawing. Absent: the pure white paper every older figure was measured on.
   */
  paper?: 'textured';
}

export interface GeneratedPage extends BenchPage {
  file: string;
  bytes: number;
}

/**
 * The drawing behind base index i. Every run of 16 consecutive indices holds each kind straight
 * and turned, once as grey and once as black-and-white in the mixed batch, so any prefix of the
 * set (the 40-page smoke run included) is a fair mix.
 */
export function basePage(index: number): Omit<BenchPage, 'format' | 'variant'> {
  const kind = BENCH_KINDS[index % BENCH_KINDS.length];
  const turned = ((index >> 2) & 1) === 1;
  const magnitude = SKEW_MAGNITUDES[(index >> 3) % SKEW_MAGNITUDES.length];
  const sign = ((index >> 3) & 1) === 0 ? 1 : -1;
  // Alternate the sign within a kind too, so both directions meet every kind.
  const angle = turned ? magnitude * sign * (index % 8 < 6 ? 1 : -1) : 0;
  return { base: index, kind, angle };
}

/** Whether base page i is a black-and-white scan in the mixed batch (half the pages). */
export function isBwInMixedBatch(index: number): boolean {
  return ((index >> 3) & 1) === 1;
}

/** `count` grey JPEG pages, half of them turned. */
export function greyBatch(count: number): BenchPage[] {
  return Array.from({ length: count }, (_, i) => ({ ...basePage(i), format: 'jpeg' as const, variant: 0 }));
}

/** `count` pages, about half grey JPEG and half black-and-white G4 TIFF; half of each turned. */
export function mixedBatch(count: number): BenchPage[] {
  return Array.from({ length: count }, (_, i) => ({ ...basePage(i), format: isBwInMixedBatch(i) ? ('tiff-g4' as const) : ('jpeg' as const), variant: 0 }));
}

/** mixedBatch's pages on scanner paper (texture.ts) instead of pure white. */
export function texturedMixedBatch(count: number): BenchPage[] {
  return mixedBatch(count).map((page) => ({ ...page, paper: 'textured' as const }));
}

/** `count` distinct grey JPEG pages made from `bases` drawings (variants of each drawing). */
export function largeGreyBatch(count: number, bases: number): BenchPage[] {
  return Array.from({ length: count }, (_, i) => ({ ...basePage(i % bases), format: 'jpeg' as const, variant: Math.floor(i / bases) }));
}

export function cacheDir(): string {
  const fixtureSource = fs.readFileSync(fileURLToPath(new URL('../fixtures/pages.ts', import.meta.url)));
  const fixtureHash = createHash('sha256').update(fixtureSource).digest('hex').slice(0, 10);
  return path.join(os.tmpdir(), `intake-bench-cache-v${GENERATOR_VERSION}-${fixtureHash}`);
}

let textureHashOnce: string | undefined;
function textureHash(): string {
  textureHashOnce ??= createHash('sha256').update(fs.readFileSync(fileURLToPath(new URL('./texture.ts', import.meta.url)))).digest('hex').slice(0, 8);
  return textureHashOnce;
}

/** The cache file name spells the whole spec, so a file is reused only for exactly its spec. */
export function fileName(page: BenchPage): string {
  const angle = page.angle === 0 ? '0' : `${page.angle > 0 ? 'p' : 'm'}${Math.abs(page.angle)}`;
  const extension = page.format === 'jpeg' ? 'jpg' : 'tif';
  // Pure white pages keep their old names (and bytes), so the cache and old figures stay valid; a
  // textured page's name holds texture.ts's hash, so a change there renders it anew.
  const paper = page.paper ? `-${page.paper}-${textureHash()}` : '';
  return `b${String(page.base).padStart(4, '0')}-${page.kind}-a${angle}-${page.format}-v${page.variant}${paper}.${extension}`;
}

/** The encodings renderPageFile() uses (quality 85 JPEG; threshold 160, G4), applied to pixels we already have. */
async function encode(raw: { data: Buffer; width: number; height: number }, format: BenchFormat): Promise<Buffer> {
  const image = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 1 } }).withDensity(DPI);
  if (format === 'jpeg') return image.jpeg({ quality: 85 }).toBuffer();
  return image
    .threshold(160)
    .toColourspace('b-w')
    .tiff({ compression: 'ccittfax4', bitdepth: 1, xres: DPI / 25.4, yres: DPI / 25.4 })
    .toBuffer();
}

/** One dark pixel in the bottom margin, placed by the variant number: distinct bytes, same page. */
function markVariant(raw: { data: Buffer; width: number; height: number }, variant: number): Buffer {
  if (variant === 0) return raw.data;
  const data = Buffer.from(raw.data);
  const x = 40 + ((variant * 37) % (raw.width - 80));
  const y = raw.height - 40 - (variant % 16);
  data[y * raw.width + x] = 0;
  return data;
}

function writeAtomically(file: string, data: Buffer): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, data);
  fs.renameSync(temp, file);
}

async function renderBase(baseIndex: number, wanted: BenchPage[], dir: string): Promise<void> {
  const { kind, angle } = basePage(baseIndex);
  const raw = await renderPageRaw({ kind, angle, dpi: DPI, seed: baseIndex + 1, pageNumber: baseIndex + 1 });
  // The textured pixels once per drawing, like the white ones: every textured file of it shares them.
  let textured: Buffer | undefined;
  for (const page of wanted) {
    let pixels = raw;
    if (page.paper === 'textured') {
      textured ??= await scannerPaper(raw, { seed: baseIndex + 1, angle });
      pixels = { ...raw, data: textured };
    }
    const data = await encode({ ...pixels, data: markVariant(pixels, page.variant) }, page.format);
    writeAtomically(path.join(dir, fileName(page)), data);
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function promisePool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}

export interface EnsureOptions {
  /** Base pages rendered at once; rendering is mostly single-threaded SVG work. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Makes sure every page exists in the cache (rendering only the missing ones) and returns the files. */
export async function ensurePages(pages: BenchPage[], options: EnsureOptions = {}): Promise<GeneratedPage[]> {
  const dir = cacheDir();
  fs.mkdirSync(dir, { recursive: true });
  const missingByBase = new Map<number, BenchPage[]>();
  for (const page of pages) {
    if (fs.existsSync(path.join(dir, fileName(page)))) continue;
    const list = missingByBase.get(page.base) ?? [];
    if (!list.some((p) => fileName(p) === fileName(page))) list.push(page);
    missingByBase.set(page.base, list);
  }
  const bases = [...missingByBase.keys()];
  let done = 0;
  await promisePool(bases, options.concurrency ?? 2, async (base) => {
    await renderBase(base, missingByBase.get(base)!, dir);
    options.onProgress?.(++done, bases.length);
  });
  return pages.map((page) => {
    const file = path.join(dir, fileName(page));
    return { ...page, file, bytes: fs.statSync(file).size };
  });
}
