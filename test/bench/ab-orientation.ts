/**
 * A/B of the clean-up's orientation stage: main/ as committed at a git revision (--old, default
 * HEAD) against the working tree, on the same analysis copies, interleaved (the order alternates
 * case by case), in one process. The stage as the pipeline runs it: the copy straightened by its
 * skew (pipeline.ts turnGrey: sharp's rotate at revisions without turn-grey.ts), the first look
 * (detectOrientationDetailed) and, when that is unsure, the second look at the text box
 * (orientation-second-look.ts). Skew is measured once per case with the working tree's deskew, so
 * both sides read the same input.
 *
 * Checks that every field of the estimate and its diagnostics (quarter turns, reliable,
 * confidence, evidence, the axis figures) is the same, and reports CPU medians of the stage per
 * case, by group: grey straight (no skew to turn), grey turned (skewed), 1-bit, sideways (the copy
 * a quarter turn round) and the orientation fixtures' pages. Exits 1 on any difference.
 *
 *   node --import tsx test/bench/ab-orientation.ts [--old REV] [--pages 48] [--sparse 24] [--hard 2] [--typewritten 4] [--reps 3]
 * Pages: the process bench's grey JPEGs and G4 TIFFs (generate.ts), each turned four ways; the
 * cleanup bench's hard page kinds (--hard N angles each), varied sparse notes and typewritten pages
 * (orientation-pages.ts), each turned four ways.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { measureSkewEitherWay, SKEW_ANALYSIS_DPI } from '../../main/imaging/deskew.js';
import { rotateGreyQuarters } from '../../main/imaging/quarter-turn.js';
import type { GreyImage, RawImage } from '../../main/imaging/types.js';
import { sharpTurn } from '../support/sharp-turn.js';
import { snapshotMain } from './snapshot.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIN_SKEW_DEGREES = 0.1;

interface Side {
  straighten: (image: GreyImage, degrees: number) => Promise<GreyImage>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  detect: (image: GreyImage, dpi: number, options: { straightened?: boolean }) => any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  secondLook: (full: RawImage, dpi: number, first: any) => Promise<any>;
}

async function loadSide(root: string): Promise<Side> {
  const orientation = await import(path.join(root, 'main/imaging/orientation.ts'));
  const second = await import(path.join(root, 'main/imaging/orientation-second-look.ts'));
  const turnFile = path.join(root, 'main/imaging/turn-grey.ts');
  const turn = fs.existsSync(turnFile) ? await import(turnFile) : undefined;
  return {
    straighten: turn ? async (image, degrees) => turn.turnGreyCentred(image, degrees) : sharpTurn,
    detect: orientation.detectOrientationDetailed,
    secondLook: second.secondLookOrientation,
  };
}

interface Copy {
  group: string;
  image: GreyImage;
  dpi: number;
  file: Buffer;
  fileDpi: number;
}

/** The analysis copy as the cleanup bench makes it (shrink-on-load and a linear reduce to about 100 dpi). */
async function analysisCopy(file: Buffer, group: string): Promise<Copy> {
  const meta = await sharp(file).metadata();
  const fileDpi = meta.density && meta.density > 0 ? meta.density : 300;
  const width = Math.round(((meta.width ?? 0) * SKEW_ANALYSIS_DPI) / fileDpi);
  const { data, info } = await sharp(file).resize({ width, kernel: 'linear' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const grey = info.channels === 1 ? data : await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).extractChannel(0).raw().toBuffer();
  return { group, image: { data: new Uint8Array(grey.buffer, grey.byteOffset, info.width * info.height), width: info.width, height: info.height }, dpi: (fileDpi * info.width) / (meta.width ?? info.width), file, fileDpi };
}

const cpuNow = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

/** The stage for one side: straighten, first look, second look when unsure; the outcome and the CPU time. */
async function runStage(side: Side, lines: GreyImage, dpi: number, skew: { reliable: boolean; angleDegrees: number }, linesQuarters: 0 | 1, full: () => Promise<RawImage>, copy: GreyImage, fileDpi: number) {
  const started = cpuNow();
  const turn = skew.reliable && Math.abs(skew.angleDegrees) >= MIN_SKEW_DEGREES;
  const straight = turn ? await side.straighten(lines, skew.angleDegrees) : lines;
  const first = side.detect(straight, dpi, { straightened: skew.reliable });
  let ms = cpuNow() - started;
  let second: unknown;
  if (!first.reliable) {
    const pixels = await full(); // decoded outside the timing
    const resumed = cpuNow();
    second = (await side.secondLook(pixels, fileDpi, { small: copy, smallDpi: dpi, linesQuarters, skewDegrees: skew.reliable ? skew.angleDegrees : undefined }))?.details;
    ms += cpuNow() - resumed;
  }
  return { outcome: JSON.stringify({ first, second }), ms, turned: turn, secondLook: !first.reliable };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const revision = opt('old', 'HEAD');
  const pageCount = Number(opt('pages', '48'));
  const sparseCount = Number(opt('sparse', '24'));
  const hardAngles = Number(opt('hard', '2'));
  const typewrittenCount = Number(opt('typewritten', '4'));
  const reps = Math.max(1, Number(opt('reps', '3')));
  sharp.concurrency(1);
  sharp.cache(false);

  const copies: Copy[] = [];
  const { ensurePages, greyBatch, mixedBatch } = await import('./generate.js');
  const bench = await ensurePages([...greyBatch(pageCount), ...mixedBatch(pageCount).filter((p) => p.format === 'tiff-g4')]);
  for (const page of bench) copies.push(await analysisCopy(fs.readFileSync(page.file), page.format === 'tiff-g4' ? 'bw' : 'grey'));
  const fixtures = await import('../fixtures/orientation-pages.js');
  const { HARD_PAGE_KINDS, UNTELLABLE_PAGE_KINDS } = await import('../fixtures/hard-pages.js');
  let seed = 900;
  for (const kind of [...HARD_PAGE_KINDS, ...UNTELLABLE_PAGE_KINDS]) {
    for (let i = 0; i < hardAngles; i++) copies.push(await analysisCopy(await fixtures.hardPageFile(kind, 300, i === 0 ? 0 : -2.7 + i * 1.9, i % 2 ? 'bw' : 'grey', seed++), 'fixtures'));
  }
  for (const page of fixtures.sparsePagePlan(sparseCount, 77)) copies.push(await analysisCopy(await fixtures.sparsePageFile(page), 'fixtures'));
  const kinds = ['letter', 'dense', 'columns', 'table'] as const;
  for (let i = 0; i < typewrittenCount; i++) copies.push(await analysisCopy(await fixtures.monospacedPageFile(kinds[i % 4], i % 2 ? 200 : 300, -3 + i * 1.7, i % 4 < 2 ? 'grey' : 'bw', 500 + i), 'fixtures'));

  const oldRoot = snapshotMain(revision, 'ab-orientation');
  try {
    const sides = { old: await loadSide(oldRoot), new: await loadSide(REPO_ROOT) };
    const times = new Map<string, { old: number[]; new: number[] }>();
    const record = (group: string, side: 'old' | 'new', ms: number) => {
      const entry = times.get(group) ?? { old: [], new: [] };
      entry[side].push(ms);
      times.set(group, entry);
    };
    let cases = 0;
    let differences = 0;
    let secondLooks = 0;
    let n = 0;
    for (const copy of copies) {
      let upright: RawImage | undefined;
      for (const k of [0, 1, 2, 3] as const) {
        const turned = rotateGreyQuarters(copy.image, k);
        const full = async (): Promise<RawImage> => {
          upright ??= await (async () => {
            const { data, info } = await sharp(copy.file).greyscale().raw().toBuffer({ resolveWithObject: true });
            return { data, width: info.width, height: info.height, channels: info.channels as RawImage['channels'] };
          })();
          const { data, info } = await sharp(upright.data, { raw: { width: upright.width, height: upright.height, channels: upright.channels } }).rotate(90 * k).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
          return { data, width: info.width, height: info.height, channels: 1 };
        };
        const { lines, linesQuarters, skew } = measureSkewEitherWay(turned, copy.dpi);
        const outcomes: Record<'old' | 'new', string> = { old: '', new: '' };
        let turnedBySkew = false;
        let tookSecondLook = false;
        for (let rep = 0; rep < reps; rep++) {
          const order = n++ % 2 ? (['new', 'old'] as const) : (['old', 'new'] as const);
          for (const side of order) {
            const result = await runStage(sides[side], lines, copy.dpi, skew, linesQuarters, full, turned, copy.fileDpi);
            outcomes[side] = result.outcome;
            turnedBySkew = result.turned;
            tookSecondLook = result.secondLook;
            const group = copy.group === 'fixtures' ? 'fixture pages' : k !== 0 ? `${copy.group} sideways/upside down` : copy.group === 'bw' ? 'bw' : turnedBySkew ? 'grey turned' : 'grey straight';
            record(group, side, result.ms);
            record('all', side, result.ms);
          }
        }
        cases++;
        if (tookSecondLook) secondLooks++;
        if (outcomes.old !== outcomes.new) {
          differences++;
          console.log(`DIFFERENT ${copy.group} case ${cases} (quarter ${k})\n  old ${outcomes.old.slice(0, 600)}\n  new ${outcomes.new.slice(0, 600)}`);
        }
      }
    }
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    };
    console.log(`${copies.length} pages × 4 quarter turns: ${cases} cases (${secondLooks} with a second look), ${reps} runs each side, ${differences} with different estimates\n`);
    console.log(`${'group'.padEnd(28)} ${'runs'.padStart(6)} ${'old ms'.padStart(8)} ${'new ms'.padStart(8)}   (CPU medians of the stage per case: straighten, first look, second look)`);
    for (const [group, { old, new: fresh }] of times) console.log(`${group.padEnd(28)} ${String(old.length).padStart(6)} ${median(old).toFixed(2).padStart(8)} ${median(fresh).toFixed(2).padStart(8)}`);
    process.exitCode = differences > 0 ? 1 : 0;
  } finally {
    fs.rmSync(oldRoot, { recursive: true, force: true });
  }
}

await main();
