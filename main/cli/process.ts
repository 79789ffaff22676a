/**
 * One-shot processing: the given files (and the files in the given folders) go through the same
 * ingest, clean-up, grouping and assembly as in the station, in a private data folder; the PDFs
 * are copied to --out. The inputs are never changed or deleted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig, profileSchema, colourModes } from '../config/schema.js';
import { ignoredNameReason } from '../intake/names.js';
import { compareNames } from '../intake/order.js';
import { createStation } from '../station.js';
import { setSyncWrites } from '../store/files.js';
import type { PageRow } from '../store/pages.js';

export interface ProcessOptions {
  inputs: string[];
  outDir: string;
  json: boolean;
  perFile: boolean;
  colour?: string;
  dataDir?: string;
}

const CLI_FOLDER = 'cli';

type Line = Record<string, unknown>;

/** Expands folders (one level, in natural name order) and reports names the station never takes. */
function collectInputs(inputs: string[], report: (line: Line) => void): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    const absolute = path.resolve(input);
    const stat = fs.statSync(absolute, { throwIfNoEntry: false });
    if (!stat) {
      report({ state: 'quarantined', source: absolute, code: 'vanished', reason: 'No such file or folder.' });
      continue;
    }
    const candidates = stat.isDirectory()
      ? fs.readdirSync(absolute).sort(compareNames).map((name) => path.join(absolute, name)).filter((file) => fs.statSync(file).isFile())
      : [absolute];
    for (const file of candidates) {
      const reason = ignoredNameReason(path.basename(file));
      if (reason) report({ state: 'ignored', source: file, reason });
      else files.push(file);
    }
  }
  return files;
}

function pageLine(page: PageRow, sourcePath: string): Line {
  return {
    source: sourcePath,
    pageIndex: page.source_index,
    skewDegrees: page.skew_degrees,
    confidence: page.skew_confidence,
    skewReliable: page.skew_reliable === 1,
    rotatedDegrees: page.rotated_degrees,
    turnedQuarters: page.turn_quarters,
    orientationReliable: page.orientation_reliable === 1,
    blank: page.blank === 1,
    dropped: page.dropped === 1,
    colourMode: page.colour_mode,
    passthrough: page.passthrough === 1,
    width: page.width,
    height: page.height,
    dpi: page.dpi,
    bytes: page.bytes,
  };
}

function uniqueName(dir: string, base: string, taken: Set<string>): string {
  let candidate = `${base}.pdf`;
  for (let n = 2; taken.has(candidate) || fs.existsSync(path.join(dir, candidate)); n++) candidate = `${base}-${n}.pdf`;
  taken.add(candidate);
  return candidate;
}

export async function runProcess(options: ProcessOptions): Promise<number> {
  if (options.colour && !(colourModes as readonly string[]).includes(options.colour)) {
    console.error(`--colour must be one of ${colourModes.join(', ')}; got "${options.colour}".`);
    return 1;
  }
  const print = (line: Line) => {
    if (options.json) console.log(JSON.stringify(line));
    else console.log(humanLine(line));
  };
  const files = collectInputs(options.inputs, print);
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'intake-process-'));
  const outDir = path.resolve(options.outDir);
  fs.mkdirSync(outDir, { recursive: true });

  // The private data folder (no --data-dir) is deleted at the end and never resumed, so neither its
  // files nor its database are synced (see setSyncWrites); a given --data-dir is a station's as ever.
  if (ownDataDir) setSyncWrites(false);
  let station;
  try {
    station = createStation({ dataDir, config: parseConfig({}, 'defaults'), watch: false, incompleteGraceMs: 0 });
  } catch (error) {
    setSyncWrites(true);
    throw error;
  }
  if (ownDataDir) station.store.db.pragma('synchronous = OFF');
  const profile = profileSchema.parse({
    name: 'CLI',
    afterIngest: 'keep',
    colourMode: options.colour ?? 'auto',
    // Files given together are one batch: all single pages of it become one document.
    grouping: { rule: options.perFile ? 'per_file' : 'batch', quietWindowMs: 600_000 },
  });
  station.registerProfile(CLI_FOLDER, profile);
  try {
    // Started before the files are taken, with a worker per core: the first pages are cleaned
    // while the rest are still being copied in. The batch cannot close early: its quiet window
    // ends only once every file is in (endWindows).
    station.expectFiles(files.length);
    await station.start();
    const sourceIds: string[] = [];
    for (const file of files) {
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      const outcome = await station.ingest(
        { hotFolder: CLI_FOLDER, profile, afterIngest: 'keep' },
        { path: file, size: stat?.size ?? 0, mtimeMs: stat?.mtimeMs ?? 0 },
      );
      sourceIds.push(outcome.source.id);
    }
    station.store.batches.endWindows(CLI_FOLDER);
    await station.whenIdle();
    const { store } = station;
    const taken = new Set<string>();
    const documentIds = new Set<string>();
    for (const id of sourceIds) {
      const source = store.sources.get(id)!;
      if (source.state === 'quarantined') {
        print({ state: 'quarantined', source: source.hot_path, code: source.reason_code, reason: source.reason });
      } else if (source.state === 'duplicate') {
        const earlier = store.sources.get(source.duplicate_of!);
        print({ state: 'duplicate', source: source.hot_path, duplicateOf: earlier?.hot_path, reason: 'The same file content was already taken.' });
      } else if (source.document_id && !documentIds.has(source.document_id)) {
        documentIds.add(source.document_id);
        const document = store.documents.get(source.document_id)!;
        const pages = store.pages.forDocument(document.id);
        const sourcePaths = new Map(pages.map((p) => [p.source_id, store.sources.get(p.source_id)!.hot_path]));
        let pdf: string | null = null;
        if (document.pdf_path) {
          const base = path.parse(sourcePaths.get(pages[0].source_id)!).name;
          pdf = path.join(outDir, uniqueName(outDir, base, taken));
          fs.copyFileSync(path.join(dataDir, document.pdf_path), pdf);
        }
        print({
          state: document.state,
          documentId: document.id,
          pdf,
          pageCount: document.page_count,
          bytes: document.pdf_bytes,
          error: document.error ?? undefined,
          pages: pages.map((page) => pageLine(page, sourcePaths.get(page.source_id)!)),
        });
      }
    }
    return 0;
  } finally {
    try {
      await station.stop();
    } finally {
      if (ownDataDir) {
        fs.rmSync(dataDir, { recursive: true, force: true });
        setSyncWrites(true);
      }
    }
  }
}

function humanLine(line: Line): string {
  switch (line.state) {
    case 'ignored':
      return `ignored      ${line.source}: ${line.reason}`;
    case 'quarantined':
      return `QUARANTINED  ${line.source}: ${line.reason}`;
    case 'duplicate':
      return `duplicate    ${line.source}: same content as ${line.duplicateOf}`;
    default: {
      const pages = line.pages as Line[];
      const turned = pages.filter((p) => p.rotatedDegrees !== 0).length;
      const blank = pages.filter((p) => p.blank).length;
      return `document     ${line.pdf}: ${line.pageCount} page(s), ${turned} straightened, ${blank} blank [${line.state}]`;
    }
  }
}
