/**
 * Bench for borders, colour mode and black-and-white: time per page at 300 dpi and bytes per
 * page kind as the PDF would embed them, on generated scans (test/fixtures/scan-faults.ts).
 *   node --import tsx test/bench/page-modes.ts [--reps N]
 * Times are CPU milliseconds of this thread (median), so a busy machine inflates them less.
 */
import sharp from 'sharp';
import { binarizeAdaptive } from '../../main/imaging/binarize.js';
import { findPaperBox, scaleBox, whitenOutside } from '../../main/imaging/borders.js';
import { decideColourMode } from '../../main/imaging/colour-mode.js';
import { encodeBilevel, encodeJpeg } from '../../main/imaging/encode.js';
import { whitenPaper } from '../../main/imaging/whiten-paper.js';
import { analysisCopy, renderScan, type Scan, type ScanSpec } from '../fixtures/scan-faults.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 5;

function cpuMs(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((a, b) => a - b)[times.length >> 1];
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** The scan as the station would hold it after a scanner's JPEG (q85): the artefacts count. */
async function throughJpeg(scan: Scan): Promise<Buffer> {
  const jpeg = await sharp(scan.grey, { raw: { width: scan.width, height: scan.height, channels: 1 } }).jpeg({ quality: 85 }).toBuffer();
  return sharp(jpeg).extractChannel(0).raw().toBuffer();
}

async function bilevelBytes(grey: Buffer, scan: Scan): Promise<number> {
  const binary = binarizeAdaptive({ data: grey, width: scan.width, height: scan.height }, scan.dpi) as Buffer;
  return (await encodeBilevel({ data: binary, width: scan.width, height: scan.height, channels: 1 }, scan.dpi)).data.length;
}

async function greyBytes(grey: Buffer, width: number, height: number, dpi: number, toDpi = dpi, quality = 75): Promise<number> {
  let data = grey;
  let w = width;
  let h = height;
  if (toDpi !== dpi) {
    const resized = await sharp(grey, { raw: { width, height, channels: 1 } })
      .resize({ width: Math.round((width * toDpi) / dpi) })
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    data = resized.data;
    w = resized.info.width;
    h = resized.info.height;
  }
  return (await encodeJpeg({ data, width: w, height: h, channels: 1 }, toDpi, quality)).data.length;
}

async function main(): Promise<void> {
  console.log(`page-modes bench, 300 dpi A4, ${reps} reps, CPU ms (median)\n`);

  const dense = await renderScan({ kind: 'dense', dpi: 300, noise: 6 });
  const denseGrey = await throughJpeg(dense);
  const denseImage = { data: denseGrey, width: dense.width, height: dense.height };
  console.log(`binarizeAdaptive, dense page: ${cpuMs(() => binarizeAdaptive(denseImage, 300)).toFixed(0)} ms`);
  console.log(`whitenPaper, grey page:      ${cpuMs(() => whitenPaper({ data: Buffer.from(denseGrey), width: dense.width, height: dense.height, channels: 1 })).toFixed(0)} ms (includes a page copy)`);
  const bordered = await renderScan({ dpi: 300, bands: { left: 8, top: 4 }, punchHoles: true, stamp: 'red' });
  const smallGrey = await analysisCopy(bordered, 1);
  const smallRgb = await analysisCopy(bordered, 3);
  console.log(`findPaperBox, 100 dpi copy:  ${cpuMs(() => findPaperBox(smallGrey, smallGrey.dpi)).toFixed(1)} ms`);
  console.log(`decideColourMode, 100 dpi RGB copy: ${cpuMs(() => decideColourMode(smallRgb, { dpi: smallRgb.dpi })).toFixed(1)} ms`);
  const box = scaleBox(findPaperBox(smallGrey, smallGrey.dpi).box!, smallGrey, bordered);
  const full = { data: Buffer.from(bordered.grey), width: bordered.width, height: bordered.height, channels: 1 as const };
  console.log(`whitenOutside, 300 dpi grey: ${cpuMs(() => whitenOutside(full, box)).toFixed(1)} ms\n`);

  console.log('Black-and-white pages (adaptive 1-bit, CCITT G4), bytes in the PDF:');
  const bwKinds: Array<[string, ScanSpec]> = [
    ['letter (22 lines)', { kind: 'letter' }],
    ['dense (48 lines × 95 chars, 9 % ink)', { kind: 'dense' }],
    ['table', { kind: 'table' }],
    ['columns', { kind: 'columns' }],
    ['dense, pencil grey #aaa', { kind: 'dense', ink: 0xaa, noise: 10 }],
    ['letter on form shading #c8c8c8', { kind: 'letter', shading: 200 }],
    ['letter with black border + holes (whitened)', { kind: 'letter', bands: { left: 8, top: 4 }, punchHoles: true }],
  ];
  for (const [name, spec] of bwKinds) {
    const scan = await renderScan({ dpi: 300, noise: 6, ...spec });
    const grey = await throughJpeg(scan);
    if (spec.bands) {
      const small = await analysisCopy(scan, 1);
      const found = findPaperBox(small, small.dpi).box;
      if (found) whitenOutside({ data: grey, width: scan.width, height: scan.height, channels: 1 }, scaleBox(found, small, scan));
    }
    const fixed = (await encodeBilevel({ data: grey, width: scan.width, height: scan.height, channels: 1 }, 300)).data.length;
    console.log(`  ${name.padEnd(46)} ${kb(await bilevelBytes(grey, scan)).padStart(7)}   (fixed threshold 160: ${kb(fixed)})`);
  }

  console.log('\nGrey page: letter with a 60 × 45 mm grey photo, bytes in the PDF:');
  const photo = await renderScan({ dpi: 300, noise: 6, photo: 'grey' });
  const photoGrey = await throughJpeg(photo);
  const whitened = Buffer.from(photoGrey);
  whitenPaper({ data: whitened, width: photo.width, height: photo.height });
  const { width, height } = photo;
  console.log(`  whole page grey JPEG q75, 300 dpi:            ${kb(await greyBytes(photoGrey, width, height, 300))}`);
  console.log(`  same after whitenPaper:                        ${kb(await greyBytes(whitened, width, height, 300))}`);
  console.log(`  whitened, 200 dpi q75:                         ${kb(await greyBytes(whitened, width, height, 300, 200))}`);
  console.log(`  whitened, 150 dpi q75 / q50:                   ${kb(await greyBytes(whitened, width, height, 300, 150))} / ${kb(await greyBytes(whitened, width, height, 300, 150, 50))}`);
  // The split: the page as 1-bit text with the photo area left white, plus the photo as a grey JPEG.
  const small = await analysisCopy(photo, 3);
  const decision = decideColourMode(small, { dpi: small.dpi });
  const textLayer = Buffer.from(binarizeAdaptive({ data: photoGrey, width, height }, 300));
  let photoBytes300 = 0;
  let photoBytes200 = 0;
  for (const found of decision.photoBoxes) {
    const b = scaleBox(found, small, photo);
    for (let y = b.top; y < b.top + b.height; y++) textLayer.fill(255, y * width + b.left, y * width + b.left + b.width);
    const crop = await sharp(whitened, { raw: { width, height, channels: 1 } }).extract(b).extractChannel(0).raw().toBuffer();
    photoBytes300 += await greyBytes(crop, b.width, b.height, 300);
    photoBytes200 += await greyBytes(crop, b.width, b.height, 300, 200);
  }
  const textBytes = (await encodeBilevel({ data: textLayer, width, height, channels: 1 }, 300)).data.length;
  console.log(`  split: 1-bit text layer + photo JPEG (300 dpi): ${kb(textBytes)} + ${kb(photoBytes300)} = ${kb(textBytes + photoBytes300)}`);
  console.log(`  split: 1-bit text layer + photo JPEG (200 dpi): ${kb(textBytes)} + ${kb(photoBytes200)} = ${kb(textBytes + photoBytes200)}`);
  console.log(`  (decision: ${decision.mode}, ${decision.reason}; photo boxes ${JSON.stringify(decision.photoBoxes)})`);
}

await main();
