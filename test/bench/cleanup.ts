/**
 * Skew benchmark: generated scans of every hard page kind at known angles, 200 and 300 dpi, grey
 * JPEG and 1-bit G4 TIFF. Times what the station does per page (read the header, shrink-on-load
 * decode to SKEW_ANALYSIS_DPI, measure) and reports the angle error per kind and overall. Runs the
 * other deskew tools that are installed (ImageMagick, unpaper, Leptonica: reference-tools.ts) on a
 * seeded sample of the same pages with text, nested so the slower tools' pages are among the faster
 * ones', and prints their errors and times beside ours on exactly their pages.
 *
 *   node --import tsx test/bench/cleanup.ts [--kinds a,b] [--dpi 300,200] [--modes grey,bw]
 *        [--angles 0,0.3,-3] [--per-kind 4] [--im-pages 24] [--unpaper-pages 8] [--lept-pages 48] [--seed 1]
 *        [--sparse-pages 48] [--typewritten-pages 8] [--no-orientation] [--no-second-look] [--list-flagged]
 *
 * The orientation table turns each page with text by 0/90/180/270° and runs the pipeline's
 * decision on it (orientation-pages.ts, orientationAsPipeline), plus sparse pages drawn otherwise,
 * and full pages set in a monospaced face (typewritten), reported beside the overall figure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp, { type OutputInfo } from 'sharp';
import { measureSkew, SKEW_ANALYSIS_DPI } from '../../main/imaging/deskew.js';
import { rotateGreyQuarters } from '../../main/imaging/quarter-turn.js';
import { monospacedPageFile, orientationAsPipeline, sparsePageFile, sparsePageName, sparsePagePlan, type AnalysisCopy } from '../fixtures/orientation-pages.js';
import { rng } from '../fixtures/pages.js';
import {
  HARD_PAGE_KINDS,
  UNTELLABLE_PAGE_KINDS,
  renderHardPageFile,
  type HardPageKind,
  type HardPageSpec,
  type ScanMode,
} from '../fixtures/hard-pages.js';
import { findReferenceTools, SWEEP_DEGREES, type ReferenceReading, type ReferenceTool } from './reference-tools.js';

interface Options {
  kinds: HardPageKind[];
  dpis: number[];
  modes: ScanMode[];
  /** Fixed angles every kind gets; `perKind` more are drawn at random within ±15°. */
  angles: number[];
  perKind: number;
  /** How many pages each other tool gets, by tool name (the slow ones get a sample). */
  toolPages: Record<string, number>;
  seed: number;
  /** Varied sparse pages (orientation-pages.ts) for the orientation table, on top of the skew pages; 0: none. */
  sparsePages: number;
  /** Full pages in a monospaced face (typewriter, older printers) for the orientation table; 0: none. */
  typewrittenPages: number;
  /** Skip the orientation table. */
  noOrientation: boolean;
  /** Orientation from the analysis copy alone, as before the second look (A/B). */
  noSecondLook: boolean;
  /** After the orientation table, list every case not right (page, quarter turn, outcome, evidence). */
  listFlagged: boolean;
}

interface Result {
  spec: HardPageSpec;
  tellable: boolean;
  angle: number;
  reliable: boolean;
  /** How far the page stays off straight after the station acts on the verdict. */
  error: number;
  ms: number;
  /** CPU time of the process (libvips threads included): steadier than wall time on a busy machine. */
  cpuMs: number;
  /** The same split into header and decode (libvips), and the measurement itself. */
  decodeCpuMs: number;
  measureCpuMs: number;
  /** Other tools' readings on this page, by tool name, with the error after their own turn. */
  tools: Record<string, ReferenceReading & { error: number }>;
  /** The page turned by 0, 90, 180 and 270°: what the pipeline's orientation decision did with each. */
  orientation: OrientationCase[];
}

type OrientationOutcome = 'right' | 'flagged' | 'wrong';

/** One turned page's orientation: the outcome, and the CPU time the decision took (full-page turning for the bench left out). */
interface OrientationCase {
  outcome: OrientationOutcome;
  cpuMs: number;
  /** The first look was unsure and the second look (at the text box, ~200 dpi) was taken. */
  secondLook: boolean;
  /** The page (kind, dpi, mode, skew, seed) and the clockwise quarter turns its content was given, for --list-flagged. */
  page: string;
  contentQuarters: 0 | 1 | 2 | 3;
  /** The estimate's named evidence. */
  evidence?: string;
}

/**
 * The analysis copy turned by each quarter turn (content k × 90° clockwise), through the
 * pipeline's sequence: skew (or skew a quarter round), straighten, orientation, and the second
 * look at the full page (turned the same way) when the first is unsure. Right when the page gets
 * the (4 − k) mod 4 clockwise quarter turns it needs, flagged when unreliable.
 */
async function orientationOutcomes(copy: AnalysisCopy, file: Buffer | undefined, page = ''): Promise<OrientationCase[]> {
  const cases: OrientationCase[] = [];
  let upright: { data: Buffer; info: OutputInfo } | undefined;
  for (const k of [0, 1, 2, 3] as const) {
    const turned = { image: rotateGreyQuarters(copy.image, k), dpi: copy.dpi };
    let preparing = 0;
    const fullPage = file
      ? async () => {
          const started = cpuNow();
          upright ??= await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
          const { data, info } = await sharp(upright.data, { raw: { width: upright.info.width, height: upright.info.height, channels: upright.info.channels } })
            .rotate(90 * k)
            .extractChannel(0)
            .raw()
            .toBuffer({ resolveWithObject: true });
          preparing += cpuNow() - started;
          return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }, dpi: copy.fileDpi ?? copy.dpi };
        }
      : undefined;
    const started = cpuNow();
    const estimate = await orientationAsPipeline(turned, 0.1, fullPage);
    const cpuMs = cpuNow() - started - preparing;
    const outcome = !estimate.reliable ? 'flagged' : estimate.turnQuarters === (4 - k) % 4 ? 'right' : 'wrong';
    cases.push({ outcome, cpuMs, secondLook: estimate.secondLook === true, page, contentQuarters: k, evidence: estimate.evidence });
  }
  return cases;
}

/**
 * Full pages set in a monospaced face: letters, dense text, columns and tables, at 300 and 200
 * dpi, grey and 1-bit, skewed within ±4°, each turned four ways. Kept out of the overall figure so
 * that stays comparable with earlier runs.
 */
async function typewrittenOutcomes(options: Options): Promise<OrientationCase[]> {
  const kinds = ['letter', 'dense', 'columns', 'table'] as const;
  const random = rng(options.seed + 60);
  const cases: OrientationCase[] = [];
  if (options.typewrittenPages > 0) console.log(`\nOrientation: ${options.typewrittenPages} full pages in DejaVu Sans Mono (typewritten), turned four ways`);
  for (let i = 0; i < options.typewrittenPages; i++) {
    const skew = Math.round((random() * 8 - 4) * 10) / 10;
    const [kind, dpi, mode, seed] = [kinds[i % kinds.length], i % 2 ? 200 : 300, i % 4 < 2 ? 'grey' : 'bw', options.seed * 100 + i] as const;
    const file = await monospacedPageFile(kind, dpi, skew, mode, seed);
    cases.push(...(await orientationOutcomes(await analysisCopy(file), options.noSecondLook ? undefined : file, `typewritten ${kind} ${mode} ${dpi} dpi ${skew}° seed ${seed}`)));
  }
  return cases;
}

function printOrientationTable(rows: Array<[string, OrientationCase[]]>): void {
  console.log('\nOrientation (each page turned 0/90/180/270°; the pipeline\'s order: skew, straighten, orientation, second look when unsure; flagged = left for staff)');
  console.log(['group', 'cases', 'right', 'flagged', 'wrong', 'right %', '2nd looks', 'cpu ms', '2nd cpu'].map(cell).join(' '));
  const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.5);
  for (const [name, cases] of rows) {
    const count = (o: OrientationOutcome) => cases.filter((x) => x.outcome === o).length;
    const share = cases.length ? `${((100 * count('right')) / cases.length).toFixed(1)}%` : '-';
    const second = cases.filter((x) => x.secondLook);
    const cpu = [f(median(cases.map((x) => x.cpuMs)), 1), f(median(second.map((x) => x.cpuMs)), 1)];
    console.log([name, String(cases.length), String(count('right')), String(count('flagged')), String(count('wrong')), share, String(second.length), ...cpu].map(cell).join(' '));
  }
  console.log('cpu ms: median CPU time of the orientation decision per case (skew for it, straighten, first look, second look); 2nd cpu: the same on the cases that took the second look');
}

/** Every case not right, one line each: the page, the turn its content was given, the outcome, the CPU ms and the evidence named. */
function printFlaggedCases(title: string, cases: OrientationCase[]): void {
  const notRight = cases.filter((c) => c.outcome !== 'right');
  console.log(`\n${title}: ${notRight.length} not right`);
  for (const c of notRight) console.log(`  ${c.outcome.padEnd(7)} ${c.page}, content turned ${90 * c.contentQuarters}°, ${c.cpuMs.toFixed(1)} ms: ${c.evidence ?? '(no evidence)'}`);
}

function parseOptions(args: string[]): Options {
  const value = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const list = (name: string) => value(name)?.split(',').filter(Boolean);
  const known = new Set<string>([...HARD_PAGE_KINDS, ...UNTELLABLE_PAGE_KINDS]);
  const kinds = (list('kinds') ?? [...known]) as HardPageKind[];
  for (const kind of kinds) if (!known.has(kind)) throw new Error(`Unknown page kind "${kind}"; known: ${[...known].join(', ')}`);
  const numbers = (name: string, fallback: number[]) => {
    const parsed = list(name)?.map(Number) ?? fallback;
    if (parsed.some((n) => !Number.isFinite(n))) throw new Error(`--${name} takes numbers separated by commas, got "${value(name)}"`);
    return parsed;
  };
  return {
    kinds,
    dpis: numbers('dpi', [300, 200]),
    modes: (list('modes') ?? ['grey', 'bw']) as ScanMode[],
    angles: numbers('angles', [0, 0.3, -3, 9.7, -14.5]),
    perKind: Number(value('per-kind') ?? 2),
    toolPages: {
      ImageMagick: Number(value('im-pages') ?? 24),
      unpaper: Number(value('unpaper-pages') ?? 8),
      Leptonica: Number(value('lept-pages') ?? 48),
    },
    seed: Number(value('seed') ?? 1),
    sparsePages: Number(value('sparse-pages') ?? 48),
    typewrittenPages: Number(value('typewritten-pages') ?? 8),
    noOrientation: args.includes('--no-orientation'),
    noSecondLook: args.includes('--no-second-look'),
    listFlagged: args.includes('--list-flagged'),
  };
}

function specs(options: Options): HardPageSpec[] {
  const random = rng(options.seed);
  const result: HardPageSpec[] = [];
  let seed = options.seed;
  for (const kind of options.kinds) {
    const angles = [...options.angles];
    for (let i = 0; i < options.perKind; i++) angles.push(Math.round((random() * 30 - 15) * 1000) / 1000);
    for (const dpi of options.dpis) for (const mode of options.modes) for (const angle of angles) result.push({ kind, dpi, mode, angle, seed: seed++ });
  }
  return result;
}

const cpuNow = () => {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000;
};

/** The analysis copy as the pipeline makes it: header, then shrink-on-load and a linear reduce (main/imaging/pipeline.ts). */
async function analysisCopy(file: Buffer): Promise<AnalysisCopy> {
  const meta = await sharp(file).metadata();
  const dpi = meta.density && meta.density > 0 ? meta.density : 300;
  const width = Math.round(((meta.width ?? 0) * SKEW_ANALYSIS_DPI) / dpi);
  const { data, info } = await sharp(file).resize({ width, kernel: 'linear' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }, dpi: (dpi * info.width) / (meta.width ?? info.width), fileDpi: dpi };
}

/** What the station does per page: header, shrink-on-load decode to the analysis size, measure; CPU time per stage. */
async function decodeAndMeasure(file: Buffer) {
  const started = performance.now();
  const cpuStarted = cpuNow();
  const copy = await analysisCopy(file);
  const cpuDecoded = cpuNow();
  const estimate = measureSkew(copy.image, copy.dpi);
  const cpuEnd = cpuNow();
  return { copy, estimate, ms: performance.now() - started, cpuMs: cpuEnd - cpuStarted, decodeCpuMs: cpuDecoded - cpuStarted, measureCpuMs: cpuEnd - cpuDecoded };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function summarise(errors: number[], ms: number[], cpuMs: number[] = []) {
  const e = [...errors].sort((a, b) => a - b);
  const t = [...ms].sort((a, b) => a - b);
  return {
    n: e.length,
    mean: e.reduce((s, v) => s + v, 0) / Math.max(1, e.length),
    median: percentile(e, 0.5),
    p95: percentile(e, 0.95),
    worst: e.length ? e[e.length - 1] : Number.NaN,
    within: e.filter((v) => v <= 0.1).length / Math.max(1, e.length),
    ms: percentile(t, 0.5),
    cpuMs: percentile([...cpuMs].sort((a, b) => a - b), 0.5),
  };
}

const f = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

const cell = (c: string, i: number) => (i === 0 ? c.padEnd(16) : c.padStart(9));
const errorCells = (s: ReturnType<typeof summarise>) => [f(s.mean, 4), f(s.median, 4), f(s.p95, 4), f(s.worst, 4), `${(s.within * 100).toFixed(1)}%`, f(s.ms, 1)];

function printTable(title: string, rows: Array<[string, Result[]]>): void {
  console.log(`\n${title}`);
  console.log(['group', 'pages', 'unreliable', 'mean°', 'median°', 'p95°', 'worst°', '≤0.1°', 'ms/page', 'cpu ms', 'cpu p95', 'decode', 'measure'].map(cell).join(' '));
  const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.5);
  for (const [name, results] of rows) {
    const s = summarise(results.map((r) => r.error), results.map((r) => r.ms), results.map((r) => r.cpuMs));
    const cpuP95 = percentile(results.map((r) => r.cpuMs).sort((a, b) => a - b), 0.95);
    const stages = [median(results.map((r) => r.decodeCpuMs)), median(results.map((r) => r.measureCpuMs))];
    console.log([name, String(s.n), String(results.filter((r) => !r.reliable).length), ...errorCells(s), f(s.cpuMs, 1), f(cpuP95, 1), ...stages.map((v) => f(v, 1))].map(cell).join(' '));
  }
  console.log('cpu ms: median CPU time per page (header, decode to the analysis copy, measure; one libvips thread); cpu p95: its 95th percentile; decode, measure: medians of the two stages');
}

/** Each tool on its own sample, beside ours on exactly those pages. */
function printToolTable(tools: ReferenceTool[], results: Result[], modes: ScanMode[]): void {
  console.log(`\nOther tools on the same pages, within their ±${SWEEP_DEGREES}° sweep (error after the tool's own turn; ms = wall time per page, decode included; right of | : ours on those pages)`);
  const half = ['mean°', 'median°', 'p95°', 'worst°', '≤0.1°', 'ms/page'];
  console.log(['tool', 'pages', ...half, `| ${half[0]}`, ...half.slice(1)].map(cell).join(' '));
  for (const tool of tools) {
    for (const mode of [undefined, ...modes]) {
      const pages = results.filter((r) => r.tools[tool.name] && (mode === undefined || r.spec.mode === mode));
      if (pages.length === 0) continue;
      const theirs = summarise(pages.map((r) => r.tools[tool.name].error), pages.map((r) => r.tools[tool.name].ms));
      const ours = summarise(pages.map((r) => r.error), pages.map((r) => r.ms));
      const [mean, ...rest] = errorCells(ours);
      console.log([mode ? `${tool.name} ${mode}` : tool.name, String(pages.length), ...errorCells(theirs), `| ${mean}`, ...rest].map(cell).join(' '));
    }
  }
}

export async function runCleanupBench(args: string[]): Promise<void> {
  const options = parseOptions(args);
  // One libvips thread: the station measures one page per worker, one worker per core.
  sharp.concurrency(1);
  const all = specs(options);
  const untellable = new Set<string>(UNTELLABLE_PAGE_KINDS);
  const { tools: installed, notes } = await findReferenceTools();
  for (const note of notes) console.log(note);
  const tools = installed.filter((tool) => (options.toolPages[tool.name] ?? 0) > 0);
  // One seeded shuffle of the pages with text that the tools' sweeps cover, each tool taking its first N: the pages of a tool with a
  // smaller sample are among those of the larger ones. A fixed stride would keep hitting one angle of the cycle.
  const order = all.map((_, i) => i).filter((i) => !untellable.has(all[i].kind) && Math.abs(all[i].angle) <= SWEEP_DEGREES);
  const pick = rng(options.seed + 7);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(pick() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const rank = new Map(order.map((index, position) => [index, position]));
  const sampled = (tool: ReferenceTool, index: number) => (rank.get(index) ?? Infinity) < options.toolPages[tool.name];
  const scratch = mkdtempSync(join(tmpdir(), 'cleanup-bench-'));
  const results: Result[] = [];
  const toolNote = tools.map((t) => `${t.name} on ${Math.min(options.toolPages[t.name], order.length)}`).join(', ');
  console.log(`Skew bench: ${all.length} pages, analysis at ${SKEW_ANALYSIS_DPI} dpi${toolNote ? `; ${toolNote} of them` : ''}`);
  try {
    for (let index = 0; index < all.length; index++) {
      const spec = all[index];
      const file = await renderHardPageFile(spec);
      await decodeAndMeasure(file); // warm-up, so the timing is of steady work, not first-call costs
      const { copy, estimate, ms, cpuMs, decodeCpuMs, measureCpuMs } = await decodeAndMeasure(file);
      const tellable = !untellable.has(spec.kind);
      // An unreliable page is left as it is: it stays off by its own angle.
      const applied = estimate.reliable ? estimate.angleDegrees : 0;
      const result: Result = { spec, tellable, angle: estimate.angleDegrees, reliable: estimate.reliable, error: Math.abs(applied - spec.angle), ms, cpuMs, decodeCpuMs, measureCpuMs, tools: {},
        orientation: options.noOrientation ? [] : await orientationOutcomes(copy, options.noSecondLook ? undefined : file, `${spec.kind} ${spec.mode} ${spec.dpi} dpi ${spec.angle}° seed ${spec.seed}`),
      };
      const mine = tools.filter((tool) => sampled(tool, index));
      if (mine.length > 0) {
        const path = join(scratch, `page.${spec.mode === 'grey' ? 'jpg' : 'tif'}`);
        writeFileSync(path, file);
        for (const tool of mine) {
          const reading = await tool.measure(path, scratch);
          result.tools[tool.name] = { ...reading, error: Math.abs(reading.applied - spec.angle) };
        }
      }
      results.push(result);
      if (tellable && result.error > 0.1) {
        console.log(`  miss: ${spec.kind} ${spec.mode} ${spec.dpi} dpi ${spec.angle}° → ${estimate.angleDegrees}° (reliable ${estimate.reliable}, confidence ${estimate.confidence.toFixed(2)})`);
      }
      if (!tellable && estimate.reliable && result.error > 0.3 && Math.abs(estimate.angleDegrees) > 0.3) {
        console.log(`  WRONG TURN: ${spec.kind} ${spec.mode} ${spec.dpi} dpi ${spec.angle}° → ${estimate.angleDegrees}°`);
      }
      if ((index + 1) % 20 === 0) console.log(`  ${index + 1}/${all.length}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const tellable = results.filter((r) => r.tellable);
  const byKind = options.kinds.filter((k) => !untellable.has(k)).map((k) => [k, tellable.filter((r) => r.spec.kind === k)] as [string, Result[]]);
  const byScan = options.modes.flatMap((m) => options.dpis.map((d) => [`${m} ${d} dpi`, tellable.filter((r) => r.spec.mode === m && r.spec.dpi === d)] as [string, Result[]]));
  printTable('Pages with text (error = how far the page stays off straight; unreliable pages stay as they are)', [...byKind, ...byScan, ['overall', tellable]]);
  if (tools.length > 0) printToolTable(tools, tellable, options.modes);

  const rest = results.filter((r) => !r.tellable);
  if (rest.length > 0) {
    console.log('\nPages whose angle cannot be told (must be unreliable, or never turned wrongly by more than 0.3°)');
    for (const kind of new Set(rest.map((r) => r.spec.kind))) {
      const pages = rest.filter((r) => r.spec.kind === kind);
      const wrong = pages.filter((r) => r.reliable && Math.abs(r.angle - r.spec.angle) > 0.3 && Math.abs(r.angle) > 0.3);
      console.log(`${kind.padEnd(14)} pages ${pages.length}  unreliable ${pages.filter((r) => !r.reliable).length}  turned wrongly ${wrong.length}`);
    }
  }

  if (!options.noOrientation) {
    const sparse: OrientationCase[] = [];
    const plan = sparsePagePlan(options.sparsePages, options.seed + 30);
    if (plan.length > 0) console.log(`\nOrientation: ${plan.length} more sparse pages drawn otherwise (six DejaVu faces, 9-14 pt, 2-5 lines, left or centred)`);
    for (const [i, page] of plan.entries()) {
      const file = await sparsePageFile(page);
      sparse.push(...(await orientationOutcomes(await analysisCopy(file), options.noSecondLook ? undefined : file, `sparse #${i} of plan(${options.sparsePages}, ${options.seed + 30}): ${sparsePageName(page)}`)));
    }
    const orientationRows = byKind.map(([kind, pages]) => [kind, pages.flatMap((r) => r.orientation)] as [string, OrientationCase[]]);
    if (sparse.length > 0) orientationRows.push(['sparse, varied', sparse]);
    orientationRows.push(['overall', orientationRows.flatMap(([, outcomes]) => outcomes)]);
    const typewritten = await typewrittenOutcomes(options);
    if (typewritten.length > 0) {
      orientationRows.push(['typewritten', typewritten], ['overall + typewr.', [...orientationRows[orientationRows.length - 1][1], ...typewritten]]);
    }
    printOrientationTable(orientationRows);
    const bySparseRule = [...orientationRows.find(([name]) => name === 'overall')![1], ...typewritten].filter((c) => c.evidence?.includes('sparse note'));
    console.log(`sparse-note rule (margins, detached marks, tails; orientation-sparse.ts): decided ${bySparseRule.length} cases, ${bySparseRule.filter((c) => c.outcome === 'right').length} right`);
    for (const kind of new Set(rest.map((r) => r.spec.kind))) {
      const outcomes = rest.filter((r) => r.spec.kind === kind).flatMap((r) => r.orientation);
      // No answer is right here: every case should be flagged.
      console.log(`${kind.padEnd(14)} cases ${outcomes.length}  not flagged ${outcomes.filter((o) => o.outcome !== 'flagged').length} (should be 0)`);
    }
    if (options.listFlagged) {
      printFlaggedCases('Orientation cases of pages with text', [...orientationRows.find(([name]) => name === 'overall')![1], ...typewritten]);
      const untold = rest.flatMap((r) => r.orientation);
      const told = untold.filter((o) => o.outcome !== 'flagged');
      console.log(`\nPages that cannot be told: ${untold.length} cases, ${told.length} not flagged`);
      for (const c of told) console.log(`  ${c.outcome.padEnd(7)} ${c.page}, content turned ${90 * c.contentQuarters}°: ${c.evidence ?? '(no evidence)'}`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCleanupBench(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
