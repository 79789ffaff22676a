/**
 * `npm run bench -- barcodes [--reps N] [--thorough]`: milliseconds per page for the mailroom's
 * page marks (detectPageMarks: decode, barcodes, patch code, rules) on one thread, by page kind:
 * cleaned text pages (1-bit G4 as the clean-up writes them, and grey JPEG), letters with a barcode
 * (each format, skewed and turned), and the station's own sheets. Wall and CPU time are both shown:
 * on a busy machine the CPU time is the fairer figure. --thorough adds the whole-page zxing search
 * as a yardstick for what the region crops save.
 */
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { detectPageMarks } from '../../main/mailroom/codes/page-marks.js';
import { loadZxing } from '../../main/mailroom/codes/zxing.js';
import { makeCoverSheetPdf } from '../../main/mailroom/sheets/cover-sheet.js';
import { makeSeparatorSheetPdf } from '../../main/mailroom/sheets/separator-sheet.js';
import { renderBarcodePage, type CodeKind } from '../fixtures/barcode-pages.js';
import { renderPageFile } from '../fixtures/pages.js';
import { renderPdfPageGrey } from '../fixtures/render-pdf.js';

interface Sample {
  group: string;
  name: string;
  file: Buffer;
  dpi: number;
  expect: (marks: Awaited<ReturnType<typeof detectPageMarks>>) => boolean;
}

async function g4(file: Buffer, dpi: number): Promise<Buffer> {
  return sharp(file).extractChannel(0).threshold(160).toColourspace('b-w').withDensity(dpi).tiff({ compression: 'ccittfax4', bitdepth: 1 }).toBuffer();
}

async function samples(): Promise<Sample[]> {
  const list: Sample[] = [];
  const none = (m: Awaited<ReturnType<typeof detectPageMarks>>) => m.barcodes.length === 0 && m.separator === null;
  for (const dpi of [200, 300]) {
    for (const [i, kind] of (['letter', 'dense', 'table', 'columns'] as const).entries()) {
      const jpeg = await renderPageFile({ kind, dpi, seed: 10 + i }, 'jpeg');
      list.push({ group: `text, G4 ${dpi} dpi`, name: kind, file: await g4(jpeg, dpi), dpi, expect: none });
      list.push({ group: `text, JPEG ${dpi} dpi`, name: kind, file: jpeg, dpi, expect: none });
    }
  }
  const texts: Record<CodeKind, string> = { qrcode: 'IS1|COVER|123A456789|Antrag|2', datamatrix: '12345BG0000001', code128: 'KDNR:223A456789', code39: 'KDNR 323A456789' };
  for (const dpi of [200, 300]) {
    for (const [i, code] of (Object.keys(texts) as CodeKind[]).entries()) {
      const page = await renderBarcodePage({ code, text: texts[code], dpi, turnQuarters: ((i * 3) % 4) as 0 | 1 | 2 | 3, skew: i - 1.5, atMm: { x: 30, y: 60 + i * 40 } });
      list.push({ group: `barcode letter, G4 ${dpi} dpi`, name: code, file: await g4(page.file, dpi), dpi, expect: (m) => m.barcodes.some((b) => b.text === texts[code]) });
    }
  }
  const separator = await makeSeparatorSheetPdf();
  const cover = await makeCoverSheetPdf({ customerNumber: '123A456789', customerName: 'Muster, Erika', documentType: 'Antrag', expectedPages: 2 });
  for (const dpi of [200, 300]) {
    for (const [name, pdf, expect] of [
      ['separator', separator, (m: Awaited<ReturnType<typeof detectPageMarks>>) => m.separator === 'station-sheet'],
      ['cover', cover, (m: Awaited<ReturnType<typeof detectPageMarks>>) => m.coverSheet?.customerNumber === '123A456789'],
    ] as const) {
      const page = await renderPdfPageGrey(pdf, 1, dpi);
      const file = await sharp(page.data, { raw: { width: page.width, height: page.height, channels: 1 } }).threshold(128).toColourspace('b-w').withDensity(dpi).tiff({ compression: 'ccittfax4', bitdepth: 1 }).toBuffer();
      list.push({ group: `station sheets, G4 ${dpi} dpi`, name, file, dpi, expect });
    }
  }
  return list;
}

export async function runBarcodesBench(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { reps: { type: 'string', default: '3' }, thorough: { type: 'boolean', default: false } } });
  const reps = Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1 || reps > 50) throw new RangeError('--reps must be a whole number from 1 to 50.');
  sharp.concurrency(1);
  console.log('Generating pages…');
  const pages = await samples();
  await loadZxing();
  // Warm-up: JIT and the wasm module.
  for (const page of pages.slice(0, 4)) await detectPageMarks(page.file, { dpi: page.dpi });

  // How busy the machine is: a plain loop over 8.7 MB (one A4 page at 300 dpi) takes about 5-10 ms on an idle core.
  const reference = new Uint8Array(8_700_000).fill(7);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    let sum = 0;
    for (let j = 0; j < reference.length; j++) sum += reference[j];
    best = Math.min(best, performance.now() - started + (sum === -1 ? 1 : 0));
  }
  console.log(`Reference loop over one 300 dpi page of bytes: ${best.toFixed(1)} ms (a busy machine shows more; scale the figures below by it).`);

  const modes: ('fast' | 'thorough')[] = values.thorough ? ['fast', 'thorough'] : ['fast'];
  for (const mode of modes) {
    const groups = new Map<string, { wall: number[]; cpu: number[]; wrong: string[] }>();
    for (let rep = 0; rep < reps; rep++) {
      for (const page of pages) {
        const cpu = process.cpuUsage();
        const started = performance.now();
        const marks = await detectPageMarks(page.file, { dpi: page.dpi, mode });
        const wall = performance.now() - started;
        const used = process.cpuUsage(cpu);
        const group = groups.get(page.group) ?? { wall: [], cpu: [], wrong: [] };
        group.wall.push(wall);
        group.cpu.push((used.user + used.system) / 1000);
        if (rep === 0 && !page.expect(marks)) group.wrong.push(page.name);
        groups.set(page.group, group);
      }
    }
    console.log(`\nPage marks, ${mode} mode, ${reps} rep(s), one thread (ms per page):`);
    console.log(`${'pages'.padEnd(32)} ${'n'.padStart(3)} ${'wall median'.padStart(12)} ${'wall p90'.padStart(9)} ${'cpu median'.padStart(11)} ${'cpu p95'.padStart(8)}  wrong`);
    const allCpu: number[] = [];
    for (const [name, group] of groups) {
      allCpu.push(...group.cpu);
      console.log(
        `${name.padEnd(32)} ${String(group.wall.length / reps).padStart(3)} ${median(group.wall).toFixed(1).padStart(12)} ${quantile(group.wall, 0.9).toFixed(1).padStart(9)} ${median(group.cpu).toFixed(1).padStart(11)} ${quantile(group.cpu, 0.95).toFixed(1).padStart(8)}  ${group.wrong.join(', ') || '-'}`,
      );
    }
    const mean = allCpu.reduce((a, b) => a + b, 0) / allCpu.length;
    console.log(`All pages: CPU median ${median(allCpu).toFixed(1)}, p95 ${quantile(allCpu, 0.95).toFixed(1)}, mean ${mean.toFixed(1)} ms/page → about ${(1000 / mean).toFixed(1)} pages/s per core for the marks alone.`);
  }
}

function median(values: number[]): number {
  return quantile(values, 0.5);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
