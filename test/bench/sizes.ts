/**
 * Bytes per page in the PDF and what they cost, at default settings, on generated 300 dpi A4 scans
 * with sensor noise (test/fixtures/scan-faults.ts):
 *   npm run bench -- sizes [--reps N]
 * Black-and-white pages: the stored G4 data (what the PDF held before) against the JBIG2 generic
 * region the PDF embeds now. Grey and colour pages: the scanner's JPEG (q85, byte for byte before)
 * against the mixed raster content layers. Times are CPU milliseconds of the whole process (libvips'
 * threads included), medians over the repetitions, so a busy machine inflates them less than wall time.
 */
import sharp from 'sharp';
import { binarizeAdaptive } from '../../main/imaging/binarize.js';
import { encodeBilevel, passthroughJpeg } from '../../main/imaging/encode.js';
import { packBytes } from '../../main/imaging/g4.js';
import { assemblePdf } from '../../main/pdf/assemble.js';
import { extractG4Strip } from '../../main/pdf/ccitt.js';
import { encodeJbig2Generic, encodeJbig2Packed } from '../../main/pdf/jbig2.js';
import { jbig2FromG4Tiff } from '../../main/pdf/jbig2-page.js';
import { buildMrc } from '../../main/pdf/mrc.js';
import { renderScan, type ScanSpec } from '../fixtures/scan-faults.js';

const meta = { documentId: 'bench', title: 'bench', createdAt: new Date('2026-01-01T00:00:00Z'), stationId: 'bench', sourceSha256: [], producer: 'bench' };
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function cpuMs<T>(reps: number, run: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < reps; i++) {
    const start = process.cpuUsage();
    value = await run();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1], value };
}

/** A one-page PDF's size: the page's images plus its few hundred bytes of structure. */
async function pdfBytes(page: Parameters<typeof assemblePdf>[0][number]): Promise<number> {
  return (await assemblePdf([page], meta)).length;
}

export async function runSizesBench(args: string[]): Promise<void> {
  const repsAt = args.indexOf('--reps');
  const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 3;
  if (!Number.isInteger(reps) || reps < 1) throw new RangeError('--reps needs a whole number of at least 1');
  console.log(`sizes bench: 300 dpi A4 scans with sensor noise, ${reps} reps, CPU ms per page (median, whole process)\n`);

  console.log('black-and-white (Sauvola threshold, as the pipeline writes them)');
  console.log('page            G4 before    JBIG2 now   PDF page   G4 encode   JBIG2 encode   JBIG2 at assembly (G4 decode + encode)   JBIG2 encode from packed rows');
  for (const [name, spec] of [
    ['dense text', { kind: 'dense' }],
    ['typical letter', { kind: 'letter' }],
    ['table', { kind: 'table' }],
  ] as [string, ScanSpec][]) {
    const scan = await renderScan({ ...spec, dpi: 300, seed: 2 });
    const bits = Buffer.from(binarizeAdaptive({ data: scan.grey, width: scan.width, height: scan.height }, 300));
    const g4 = await cpuMs(reps, () => encodeBilevel({ data: bits, width: scan.width, height: scan.height, channels: 1 }, 300));
    const encodeOnly = await cpuMs(reps, () => encodeJbig2Generic({ data: bits, width: scan.width, height: scan.height }));
    const atAssembly = await cpuMs(reps, () => jbig2FromG4Tiff(g4.value.data, 300));
    const packed = packBytes(bits, scan.width, scan.height, 128);
    const fromPacked = await cpuMs(reps, () => encodeJbig2Packed(packed));
    const before = extractG4Strip(g4.value.data).data.length;
    const pdf = await pdfBytes(g4.value);
    console.log(
      `${name.padEnd(15)} ${kb(before).padStart(9)} ${kb(atAssembly.value.data.length).padStart(12)} ${kb(pdf).padStart(10)} ` +
        `${g4.ms.toFixed(0).padStart(8)} ms ${encodeOnly.ms.toFixed(0).padStart(11)} ms ${atAssembly.ms.toFixed(0).padStart(12)} ms ${fromPacked.ms.toFixed(0).padStart(35)} ms`,
    );
  }

  console.log('\ngrey and colour (the scanner JPEG at q85 against the layers)');
  console.log('page                         JPEG before   layers now   PDF page   mask    background   photo   shown wrong   MRC build');
  for (const [name, spec, colour] of [
    ['grey letter', { kind: 'letter' }, false],
    ['grey dense text', { kind: 'dense' }, false],
    ['grey letter with photo', { kind: 'letter', photo: 'grey' }, false],
    ['colour, photo and stamp', { kind: 'letter', photo: 'colour', stamp: 'blue' }, true],
    ['grey form with shading', { kind: 'table', shading: 200 }, false],
  ] as [string, ScanSpec, boolean][]) {
    const scan = await renderScan({ ...spec, dpi: 300, seed: 2 });
    const image = colour
      ? sharp(scan.rgb, { raw: { width: scan.width, height: scan.height, channels: 3 } })
      : sharp(scan.grey, { raw: { width: scan.width, height: scan.height, channels: 1 } }).toColourspace('b-w');
    const jpeg = await image.withDensity(300).jpeg({ quality: 85 }).toBuffer();
    const built = await cpuMs(reps, () => buildMrc(jpeg, 300));
    const decision = built.value;
    const pdf = await pdfBytes(passthroughJpeg(jpeg, scan.width, scan.height, 300));
    const layers = decision.use ? `${kb(decision.measures.bytes).padStart(10)}` : 'kept JPEG'.padStart(10);
    const parts = decision.use ? `${kb(decision.page.mask.jbig2.length).padStart(8)} ${kb(decision.page.background.jpeg.length).padStart(11)}` : `${''.padStart(8)} ${''.padStart(11)}`;
    const photo = `${((decision.measures?.photoShare ?? 0) * 100).toFixed(1)} %`;
    const wrong = decision.measures?.wrongShare !== undefined ? `${(decision.measures.wrongShare * 100).toFixed(3)} %` : '-';
    console.log(
      `${name.padEnd(28)} ${kb(jpeg.length).padStart(11)} ${layers} ${kb(pdf).padStart(10)} ${parts} ${photo.padStart(8)} ${wrong.padStart(12)} ${built.ms.toFixed(0).padStart(8)} ms` +
        (decision.use ? '' : `  (${decision.reason})`),
    );
  }
}
