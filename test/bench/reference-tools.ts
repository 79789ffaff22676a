/**
 * Other deskew tools, run on the same bench pages as ours when they are installed: ImageMagick
 * (`convert -deskew 40%`), unpaper, and Leptonica (pixFindSkewSweepAndSearch, through a small C
 * program built on first use). None of them is a dependency of the station; a missing one is
 * skipped with a one-line note.
 *
 * Every reading is in our sign (positive = content turned counter-clockwise) and gives the angle the
 * tool would actually turn the page by (`applied`), which is what the bench scores.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

export interface ReferenceReading {
  /** The angle the tool found, in our sign; NaN when it found none. */
  angle: number;
  /** The angle the tool would turn the page by (0 when it declines to turn). */
  applied: number;
  /** Wall time per page, decode included. */
  ms: number;
}

export interface ReferenceTool {
  name: string;
  /** Measures one scan file (JPEG or TIFF as the scanner wrote it). */
  measure(file: string, scratch: string): Promise<ReferenceReading>;
}

const IMAGEMAGICK = '/usr/bin/convert';
const LEPTONICA_SOURCE = fileURLToPath(new URL('./leptonica-skew.c', import.meta.url));
/**
 * Search range given to unpaper (default ±5°) and Leptonica (leptonica-skew.c); the bench gives the
 * tools only pages within it, so they are scored on accuracy, not on a range they were never asked to cover.
 */
export const SWEEP_DEGREES = 12;
/** pixDeskew's own rule (leptonica skew.c): no turn under 0.1° or below confidence 3. */
const LEPTONICA_MIN_ANGLE = 0.1;
const LEPTONICA_MIN_CONFIDENCE = 3;

function imageMagick(): ReferenceTool {
  return {
    name: 'ImageMagick',
    async measure(file) {
      const started = performance.now();
      const { stdout } = await run(IMAGEMAGICK, [file, '-deskew', '40%', '-format', '%[deskew:angle]', 'info:'], {
        env: { ...process.env, MAGICK_THREAD_LIMIT: '1' },
      });
      const angle = Number.parseFloat(stdout);
      if (!Number.isFinite(angle)) throw new Error(`ImageMagick printed no angle for ${file}: "${stdout}"`);
      // -deskew always turns by what it found; its sign is ours.
      return { angle, applied: angle, ms: performance.now() - started };
    },
  };
}

/** unpaper reads only PNM: the page becomes a full-size PGM first (not timed, the scanner could write PNM). */
async function writePgm(file: string, path: string): Promise<void> {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`Expected one grey channel for ${file}, got ${info.channels}`);
  writeFileSync(path, Buffer.concat([Buffer.from(`P5\n${info.width} ${info.height}\n255\n`), data]));
}

/** The verbose lines this reads (unpaper 7): "rotation average: -0.069813 ..." and "rotate (1240,1754): -0.069813", radians, clockwise positive. */
export function parseUnpaperVerbose(output: string): { angle: number; applied: number } {
  const toOurs = (radians: string) => (-Number.parseFloat(radians) * 180) / Math.PI;
  const found = /rotation average:\s*(-?[\d.]+)/.exec(output);
  const applied = /^rotate \([^)]*\):\s*(-?[\d.]+)/m.exec(output);
  // No "rotate" line: deskew never ran (no mask found), so the page stays as it is.
  return { angle: found ? toOurs(found[1]) : Number.NaN, applied: applied ? toOurs(applied[1]) || 0 : 0 };
}

function unpaper(): ReferenceTool {
  return {
    name: 'unpaper',
    async measure(file, scratch) {
      const input = join(scratch, 'unpaper-in.pgm');
      const output = join(scratch, 'unpaper-out.pgm');
      await writePgm(file, input);
      const started = performance.now();
      // Its defaults otherwise (filters, 0.1° steps, 1° edge agreement): what a user of unpaper gets.
      const { stdout, stderr } = await run('unpaper', ['-v', '--overwrite', '--deskew-scan-range', String(SWEEP_DEGREES), input, output], {
        maxBuffer: 16 * 1024 * 1024,
      });
      const ms = performance.now() - started;
      rmSync(output, { force: true });
      return { ...parseUnpaperVerbose(`${stdout}\n${stderr}`), ms };
    },
  };
}

/** Builds test/bench/leptonica-skew.c into the temp directory, once per version of the source. */
async function buildLeptonicaSkew(): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(LEPTONICA_SOURCE)).digest('hex').slice(0, 16);
  const binary = join(tmpdir(), `leptonica-skew-${hash}`);
  if (existsSync(binary)) return binary;
  const { stdout: flags } = await run('pkg-config', ['--cflags', '--libs', 'lept']);
  // Built under a private name and renamed: two bench runs at once never run a half-written binary.
  const partial = `${binary}.${process.pid}`;
  await run('cc', ['-O2', '-o', partial, LEPTONICA_SOURCE, ...flags.trim().split(/\s+/)]);
  renameSync(partial, binary);
  return binary;
}

/** One line of leptonica-skew's output: "angle conf ms-with-decode ms-without-decode", angle "none" when it found no skew (Leptonica's sign is ours). */
export function parseLeptonicaLine(line: string, file: string): ReferenceReading & { confidence: number } {
  const [angleText, ...rest] = line.trim().split(/\s+/);
  const [confidence, ms] = rest.map(Number);
  const angle = angleText === 'none' ? Number.NaN : Number(angleText);
  if (line.startsWith('error') || ![confidence, ms].every(Number.isFinite) || (angleText !== 'none' && !Number.isFinite(angle))) throw new Error(`leptonica-skew failed on ${file}: "${line.trim()}"`);
  const turns = Number.isFinite(angle) && Math.abs(angle) >= LEPTONICA_MIN_ANGLE && confidence >= LEPTONICA_MIN_CONFIDENCE;
  return { angle, confidence, applied: turns ? angle : 0, ms };
}

function leptonica(binary: string): ReferenceTool {
  return {
    name: 'Leptonica',
    async measure(file) {
      const { stdout } = await run(binary, [file]);
      return parseLeptonicaLine(stdout, file);
    },
  };
}

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** The tools installed here, and a one-line note for each one that is not. */
export async function findReferenceTools(): Promise<{ tools: ReferenceTool[]; notes: string[] }> {
  const tools: ReferenceTool[] = [];
  const notes: string[] = [];
  if (existsSync(IMAGEMAGICK)) tools.push(imageMagick());
  else notes.push(`ImageMagick not found at ${IMAGEMAGICK}: skipped (apt-get install -y imagemagick).`);
  try {
    await run('unpaper', ['--version']);
    tools.push(unpaper());
  } catch (error) {
    notes.push(missing(error) ? 'unpaper not found: skipped (apt-get install -y unpaper).' : `unpaper does not run: skipped (${(error as Error).message.split('\n')[0]}).`);
  }
  try {
    tools.push(leptonica(await buildLeptonicaSkew()));
  } catch (error) {
    const reason = missing(error) ? 'pkg-config or cc missing' : (error as Error).message.split('\n')[0];
    notes.push(`Leptonica skew program could not be built: skipped (apt-get install -y libleptonica-dev pkg-config gcc; ${reason}).`);
  }
  return { tools, notes };
}
