/**
 * A/B of the 1-bit coders: packBytes and encodeG4 (main/imaging/g4.ts) and the JBIG2 generic
 * region (main/pdf/jbig2.ts), as committed at a git revision (--old, default HEAD) against the
 * working tree, interleaved on the same pages in one process. Reports CPU medians per page for
 * each coder and checks that old and new give the same bytes; exits 1 on any difference.
 *
 *   node --import tsx --expose-gc test/bench/ab-coders.ts [--old REV] [--pages N] [--reps R] [--paper white|textured|both]
 *
 * Pages: the process bench's mixed batch (made in its cache if missing): grey JPEGs thresholded as
 * the pipeline does (binarizeAdaptiveBits, not timed), G4 TIFFs decoded to grey and packed (timed
 * as `pack`). Each page's bits then go through encodeG4 (the tile rounded up to 16) and
 * encodeJbig2Packed, as the clean-up does for a black-and-white page.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { binarizeAdaptiveBits } from '../../main/imaging/binarize.js';
import * as newG4 from '../../main/imaging/g4.js';
import * as newJbig2 from '../../main/pdf/jbig2.js';
import { ensurePages, mixedBatch } from './generate.js';
import { snapshotMain } from './snapshot.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

const oldRevision = opt('old') ?? 'HEAD';
const OLD = snapshotMain(oldRevision, 'ab-coders');
process.on('exit', () => fs.rmSync(OLD, { recursive: true, force: true }));
const oldG4 = (await import(path.join(OLD, 'main/imaging/g4.ts'))) as typeof newG4;
const oldJbig2 = (await import(path.join(OLD, 'main/pdf/jbig2.ts'))) as typeof newJbig2;
const count = Number(opt('pages') ?? 48);
const reps = Number(opt('reps') ?? 3);
const paper = opt('paper') ?? 'white';
if (!['white', 'textured', 'both'].includes(paper)) throw new Error(`--paper white, textured or both, not ${paper}`);
sharp.concurrency(1);

const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const times: Record<string, { old: number[]; new: number[] }> = {};
/** Runs old and new `reps` times each, alternating which goes first; records each side's median for the page. */
function ab<T>(stage: string, index: number, run: (which: 'old' | 'new') => T): { old: T; new: T } {
  const out = {} as { old: T; new: T };
  const page = { old: [] as number[], new: [] as number[] };
  for (let r = 0; r < reps; r++) {
    const order: Array<'old' | 'new'> = (r + index) % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
    for (const which of order) {
      const started = cpu();
      out[which] = run(which);
      page[which].push(cpu() - started);
    }
  }
  const t = (times[stage] ??= { old: [], new: [] });
  t.old.push(median(page.old));
  t.new.push(median(page.new));
  return out;
}
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : Number.NaN;
};
let mismatches = 0;
function mismatch(message: string) {
  mismatches++;
  if (mismatches <= 30) console.log(`  MISMATCH ${message}`);
}
const sameBytes = (a: Uint8Array | Uint32Array, b: Uint8Array | Uint32Array) =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const batch = mixedBatch(count);
const pages = await ensurePages(batch.flatMap((p) => [...(paper === 'textured' ? [] : [p]), ...(paper === 'white' ? [] : [{ ...p, paper: 'textured' as const }])]));
let index = 0;
for (const page of pages) {
  const bytes = fs.readFileSync(page.file);
  const meta = await sharp(bytes).metadata();
  const dpi = meta.density && meta.density > 0 ? meta.density : 300;
  const grey = await sharp(bytes).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  const data = new Uint8Array(grey.data.buffer, grey.data.byteOffset, grey.data.length);
  const { width, height } = grey.info;
  let bits: newG4.PackedBits;
  if (page.format === 'jpeg') bits = binarizeAdaptiveBits({ data, width, height }, dpi);
  else {
    const r = ab('pack', index, (w) => (w === 'old' ? oldG4 : newG4).packBytes(data, width, height, 128));
    if (!sameBytes(r.old.words, r.new.words) || r.old.stride !== r.new.stride) mismatch(`${path.basename(page.file)}: packed bits differ`);
    bits = r.new;
  }
  const columns = Math.ceil(width / 16) * 16;
  const rows = Math.ceil(height / 16) * 16;
  // Copied out: the G4 bytes are a view of the writer's buffer, the JBIG2 bytes are a new array.
  const g4 = ab('g4', index, (w) => (w === 'old' ? oldG4 : newG4).encodeG4(bits, columns, rows).slice());
  if (!sameBytes(g4.old, g4.new)) mismatch(`${path.basename(page.file)}: G4 bytes differ`);
  const jbig2 = ab('jbig2', index, (w) => (w === 'old' ? oldJbig2 : newJbig2).encodeJbig2Packed(bits, { dpi }));
  if (!sameBytes(jbig2.old, jbig2.new)) mismatch(`${path.basename(page.file)}: JBIG2 bytes differ`);
  index++;
  if (index % 25 === 0) {
    (globalThis as { gc?: () => void }).gc?.();
    console.log(`  ${index}/${pages.length} pages`);
  }
}

console.log(`\nold = ${oldRevision}, new = working tree, ${pages.length} pages (${paper} paper)`);
console.log(`coder   pages   old ms   new ms   new/old   (CPU medians per page, ${reps} interleaved reps each)`);
for (const [stage, t] of Object.entries(times)) {
  const o = median(t.old);
  const n = median(t.new);
  const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
  console.log(
    `${stage.padEnd(7)} ${String(t.old.length).padStart(5)} ${o.toFixed(2).padStart(8)} ${n.toFixed(2).padStart(8)} ${(n / o).toFixed(3).padStart(9)}   (means ${(sum(t.old) / t.old.length).toFixed(2)} -> ${(sum(t.new) / t.new.length).toFixed(2)})`,
  );
}
console.log(`mismatches: ${mismatches}`);
process.exitCode = mismatches > 0 ? 1 : 0;
