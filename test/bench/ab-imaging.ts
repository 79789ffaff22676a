/**
 * A/B of the threshold, the skew measurement and the G4 coder: main/imaging as committed at a git
 * revision (--old, default HEAD) against the working tree, interleaved on the same pages in one
 * process, reporting CPU medians per call and checking that the outputs are the same (threshold
 * bits, G4 bytes, skew angle within 1e-4° and the reliable decision). Exits 1 on any difference.
 *
 *   node --import tsx --expose-gc test/bench/ab-imaging.ts [--old REV] [--pages N] [--reps R] [--cleanup] [--only threshold,skew,g4]
 * Pages: the process bench's cache (run `npm run bench -- process --quick` once to make it; grey
 * JPEGs: threshold + skew + G4, G4 TIFFs: skew + G4), or with --cleanup the cleanup bench's pages
 * at its default options (skew on each page and its three quarter turns; rendered once and kept
 * as PNG analysis copies in the temp dir).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import * as newBinarize from '../../main/imaging/binarize.js';
import * as newDeskew from '../../main/imaging/deskew.js';
import * as newG4 from '../../main/imaging/g4.js';
import { rotateGreyQuarters } from '../../main/imaging/quarter-turn.js';
import type { GreyImage } from '../../main/imaging/types.js';
import { HARD_PAGE_KINDS, UNTELLABLE_PAGE_KINDS, renderHardPageFile, type HardPageSpec, type ScanMode } from '../fixtures/hard-pages.js';
import { rng } from '../fixtures/pages.js';
import { snapshotMain } from './snapshot.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

const oldRevision = opt('old') ?? 'HEAD';
const OLD = snapshotMain(oldRevision, 'ab-imaging');
process.on('exit', () => fs.rmSync(OLD, { recursive: true, force: true }));
const oldBinarize = (await import(path.join(OLD, 'main/imaging/binarize.ts'))) as typeof newBinarize;
const oldDeskew = (await import(path.join(OLD, 'main/imaging/deskew.ts'))) as typeof newDeskew;
const oldG4 = (await import(path.join(OLD, 'main/imaging/g4.ts'))) as typeof newG4;
const maxPages = Number(opt('pages') ?? 1e9);
const reps = Number(opt('reps') ?? 2);
const only = new Set((opt('only') ?? 'threshold,skew,g4').split(','));
sharp.concurrency(1);

const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const times: Record<string, { old: number[]; new: number[] }> = {};
function record(stage: string, which: 'old' | 'new', ms: number) {
  (times[stage] ??= { old: [], new: [] })[which].push(ms);
}
/** Runs old and new `reps` times each, alternating which goes first, and returns both results. */
function ab<T>(stage: string, index: number, run: (which: 'old' | 'new') => T): { old: T; new: T } {
  const out = {} as { old: T; new: T };
  for (let r = 0; r < reps; r++) {
    const order: Array<'old' | 'new'> = (r + index) % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
    for (const which of order) {
      const started = cpu();
      out[which] = run(which);
      record(stage, which, cpu() - started);
    }
  }
  return out;
}
let mismatches = 0;
function mismatch(message: string) {
  mismatches++;
  if (mismatches <= 30) console.log(`  MISMATCH ${message}`);
}
const sameBytes = (a: Uint8Array | Uint32Array, b: Uint8Array | Uint32Array) =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function compareSkew(label: string, image: GreyImage, dpi: number, index: number) {
  const r = ab('skew', index, (w) => (w === 'old' ? oldDeskew : newDeskew).measureSkewDetailed(image, dpi));
  if (r.old.reliable !== r.new.reliable) mismatch(`${label}: reliable ${r.old.reliable} -> ${r.new.reliable}`);
  else if (Math.abs(r.old.angleDegrees - r.new.angleDegrees) > 1e-4) mismatch(`${label}: angle ${r.old.angleDegrees} -> ${r.new.angleDegrees}`);
  worstSkew = Math.max(worstSkew, Math.abs(r.old.angleDegrees - r.new.angleDegrees));
  return r.new;
}
let worstSkew = 0;

async function processBenchPages() {
  const dir = fs.readdirSync(os.tmpdir()).find((d) => d.startsWith('intake-bench-cache-v1-'));
  if (!dir) throw new Error('no process bench cache');
  const files = fs.readdirSync(path.join(os.tmpdir(), dir)).filter((f) => /\.(jpg|tif)$/.test(f)).sort().slice(0, maxPages);
  let index = 0;
  for (const file of files) {
    const bytes = fs.readFileSync(path.join(os.tmpdir(), dir, file));
    const meta = await sharp(bytes).metadata();
    const dpi = meta.density && meta.density > 0 ? meta.density : 300;
    const grey = await sharp(bytes).extractChannel(meta.channels && meta.channels >= 3 ? 1 : 0).raw().toBuffer({ resolveWithObject: true });
    const full: GreyImage = { data: new Uint8Array(grey.data.buffer, grey.data.byteOffset, grey.data.length), width: grey.info.width, height: grey.info.height };
    const isJpeg = file.endsWith('.jpg');
    if (only.has('skew')) {
      const width = Math.round((full.width * 100) / dpi);
      const small = await sharp(full.data, { raw: { width: full.width, height: full.height, channels: 1 } }).resize({ width, kernel: 'linear' }).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      const copy: GreyImage = { data: new Uint8Array(small.data.buffer, small.data.byteOffset, small.data.length), width: small.info.width, height: small.info.height };
      const analysisDpi = (dpi * copy.width) / full.width;
      const s = compareSkew(file, copy, analysisDpi, index);
      if (!s.reliable) compareSkew(`${file} sideways`, rotateGreyQuarters(copy, 1), analysisDpi, index);
    }
    let bits: newG4.PackedBits;
    if (isJpeg && (only.has('threshold') || only.has('g4'))) {
      const r = ab('threshold', index, (w) => (w === 'old' ? oldBinarize : newBinarize).binarizeAdaptiveBits(full, dpi));
      if (!sameBytes(r.old.words, r.new.words) || r.old.stride !== r.new.stride) mismatch(`${file}: threshold bits differ`);
      bits = r.new;
    } else bits = newG4.packBytes(full.data, full.width, full.height, 128);
    if (only.has('g4')) {
      const columns = Math.ceil(full.width / 16) * 16;
      const rows = Math.ceil(full.height / 16) * 16;
      const r = ab('g4', index, (w) => (w === 'old' ? oldG4 : newG4).encodeG4(bits, columns, rows));
      if (!sameBytes(r.old, r.new)) mismatch(`${file}: G4 bytes differ`);
    }
    index++;
    if (index % 25 === 0) {
      (globalThis as { gc?: () => void }).gc?.();
      console.log(`  ${index}/${files.length} pages`);
    }
  }
}

/** The cleanup bench's pages (its default options), as analysis copies cached as PNG. */
async function cleanupBenchPages() {
  const cache = path.join(os.tmpdir(), 'ab-imaging-cleanup-copies');
  fs.mkdirSync(cache, { recursive: true });
  const kinds = [...HARD_PAGE_KINDS, ...UNTELLABLE_PAGE_KINDS];
  const random = rng(1);
  const specs: HardPageSpec[] = [];
  let seed = 1;
  for (const kind of kinds) {
    const angles = [0, 0.3, -3, 9.7, -14.5];
    for (let i = 0; i < 2; i++) angles.push(Math.round((random() * 30 - 15) * 1000) / 1000);
    for (const dpi of [300, 200]) for (const mode of ['grey', 'bw'] as ScanMode[]) for (const angle of angles) specs.push({ kind, dpi, mode, angle, seed: seed++ });
  }
  let index = 0;
  for (const spec of specs.slice(0, maxPages)) {
    const name = path.join(cache, `${spec.kind}-${spec.dpi}-${spec.mode}-${spec.angle}-${spec.seed}.png`);
    let copy: GreyImage;
    let dpi: number;
    if (fs.existsSync(name)) {
      const { data, info } = await sharp(name).raw().toBuffer({ resolveWithObject: true });
      copy = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
      dpi = Number(JSON.parse(fs.readFileSync(`${name}.json`, 'utf8')).dpi);
    } else {
      const file = await renderHardPageFile(spec);
      const meta = await sharp(file).metadata();
      const fileDpi = meta.density && meta.density > 0 ? meta.density : 300;
      const width = Math.round(((meta.width ?? 0) * 100) / fileDpi);
      const { data, info } = await sharp(file).resize({ width, kernel: 'linear' }).greyscale().raw().toBuffer({ resolveWithObject: true });
      copy = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
      dpi = (fileDpi * info.width) / (meta.width ?? info.width);
      await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).png({ compressionLevel: 1 }).toFile(name);
      fs.writeFileSync(`${name}.json`, JSON.stringify({ dpi }));
    }
    const label = `cleanup ${spec.kind} ${spec.dpi} ${spec.mode} ${spec.angle}`;
    compareSkew(label, copy, dpi, index);
    for (const k of [1, 2, 3] as const) compareSkew(`${label} turned ${k}`, rotateGreyQuarters(copy, k), dpi, index + k);
    index++;
    if (index % 50 === 0) console.log(`  ${index}/${specs.length} cleanup pages`);
  }
}

if (args.includes('--cleanup')) await cleanupBenchPages();
else await processBenchPages();

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : Number.NaN;
};
console.log(`\nold = ${oldRevision}, new = working tree\nstage       calls   old ms   new ms   new/old   (CPU medians per call, ${reps} reps each, interleaved)`);
for (const [stage, t] of Object.entries(times)) {
  const o = median(t.old);
  const n = median(t.new);
  console.log(`${stage.padEnd(10)} ${String(t.old.length).padStart(6)} ${o.toFixed(2).padStart(8)} ${n.toFixed(2).padStart(8)} ${(n / o).toFixed(3).padStart(9)}`);
}
console.log(`worst skew difference ${worstSkew.toExponential(2)}°; mismatches: ${mismatches}`);
process.exitCode = mismatches > 0 ? 1 : 0;
