/**
 * Composition root: createStation() wires configuration, store, watcher, ingest, page workers,
 * grouping and PDF assembly. Used alike by the CLI, the desktop app, browser mode and the tests.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from './config/load.js';
import { stationPaths, type StationPaths } from './config/paths.js';
import type { HotFolderConfig, Profile, StationConfig } from './config/schema.js';
import { Grouper } from './intake/grouping.js';
import { Ingestor, NotReadyError, type FoundFile, type IngestOutcome, type IngestTarget } from './intake/ingest.js';
import { ignoredNameReason, isUncPath } from './intake/names.js';
import { watchHotFolder, type HotFolderWatcher } from './intake/watcher.js';
import { JobRunner, type JobContext } from './jobs/runner.js';
import { acquireLock } from './store/lock.js';
import { removeStaleTempFiles, syncDirectory, syncFile } from './store/files.js';
import { sweepClosedQuarantine } from './quarantine/sweep.js';
import { StationStore } from './store/station-store.js';
import type { JobRow } from './store/jobs.js';
import type { DocumentState } from './store/documents.js';
import { WorkerPool } from './workers/pool.js';
import { pageWorkerEntry, type WorkerResult, type WorkerTask } from './workers/tasks.js';
import type { ProcessSourceResult } from './imaging/process-source.js';
import type { BuildDocumentResult } from './pdf/build-document.js';
import type { LayerPageResult } from './pdf/page-layers.js';
import { drawingFromRecord } from './pdf/page-drawing.js';
import { withStaffTurn } from './documents/drawing.js';
import type { StationEvent } from '../preload/contract/events.js';
import { SendingService } from './upload/index.js';
import type { HttpFetch } from './upload/targets/http.js';
import { createCustomerDirectory, type CustomerDirectory } from './customers/index.js';
import { MailroomFlow } from './mailroom/flow/mailroom-flow.js';
import { directoryLookup } from './mailroom/flow/customer-lookup.js';
import { buildLayersAhead } from './pdf/layers-ahead.js';
import { removeJbig2Sidecar } from './pdf/jbig2-sidecar.js';

export const STATION_VERSION = '0.1.0';
const ACTOR = 'station';

export interface StationEvents {
  ingested: [{ sourceId: string; name: string; hotFolder: string }];
  duplicate: [{ sourceId: string; name: string; duplicateOf: string; documentId: string | null }];
  quarantined: [{ sourceId: string; name: string; code: string; reason: string }];
  ignored: [{ path: string; reason: string }];
  processed: [{ sourceId: string; name: string; pages: number }];
  document: [{ documentId: string; pages: number; state: DocumentState }];
  /** Something went wrong that the station handles itself (it retries, or quarantines); for logs. */
  problem: [{ message: string; path?: string }];
  /** What the UI is told (see preload/contract/events.ts); services emit these as state changes. */
  ui: [StationEvent];
}

export interface StationOptions {
  dataDir: string;
  /** Use this configuration instead of <dataDir>/config.json (tests, one-shot CLI). */
  config?: StationConfig;
  /** Watch the configured hot folders (default true). */
  watch?: boolean;
  /** Files that look unfinished are waited for this long before being taken anyway. */
  incompleteGraceMs?: number;
  /** The host's HTTP client for REST sends (the Electron core passes net.fetch); default node-fetch. */
  httpFetch?: HttpFetch;
}

export interface StationStatus {
  documents: Record<DocumentState, number>;
  jobs: Record<string, number>;
  openBatches: number;
  quarantined: { sourceId: string; name: string; code: string | null; reason: string | null; at: string }[];
  duplicates: number;
  hotFolders: { path: string; profile: string; watching: boolean }[];
}

export class Station extends EventEmitter<StationEvents> {
  readonly store: StationStore;
  readonly paths: StationPaths;
  readonly stationId: string;
  /** The sending queue (targets, retries, offline, pause/resume) and retention. */
  readonly sending: SendingService;
  /** The local customer directory: search, lookup by number, CSV import, sync. */
  readonly customers: CustomerDirectory;
  /** Mailroom profiles: page marks, batch separation, auto-assignment, batch review. */
  readonly mailroom: MailroomFlow;
  private readonly pool: WorkerPool<WorkerTask, WorkerResult>;
  private readonly ingestor: Ingestor;
  private readonly grouper: Grouper;
  private readonly runner: JobRunner;
  /** Running watchers by resolved folder path, with the folder settings they were started with. */
  private readonly watchers = new Map<string, { watcher: HotFolderWatcher; folder: HotFolderConfig }>();
  /** Settings changes are applied one after another (and stop() waits for the one in progress). */
  private reconfiguring: Promise<void> = Promise.resolve();
  private current: StationConfig;
  private readonly profiles = new Map<string, Profile>();
  private batchTimer: NodeJS.Timeout | undefined;
  private releaseLock: () => void;
  private started = false;
  private stopped = false;

  constructor(config: StationConfig, paths: StationPaths, private readonly options: StationOptions) {
    super();
    this.current = config;
    this.paths = paths;
    this.stationId = config.stationId ?? os.hostname();
    for (const dir of [paths.dataDir, paths.originals, paths.pages, paths.documents, paths.quarantine, paths.outbox, paths.tmp]) {
      fs.mkdirSync(dir, { recursive: true });
    }
    this.releaseLock = acquireLock(path.join(paths.dataDir, 'station.lock'));
    try {
      this.store = StationStore.open(paths.database, this.stationId);
    } catch (error) {
      this.releaseLock();
      throw error;
    }
    for (const folder of config.hotFolders) this.profiles.set(path.resolve(folder.path), folder.profile);
    const workers = config.imaging.workers || os.availableParallelism();
    this.pool = new WorkerPool<WorkerTask, WorkerResult>(pageWorkerEntry, workers);
    this.ingestor = new Ingestor(this.store, paths, { incompleteGraceMs: options.incompleteGraceMs ?? 15_000, actor: ACTOR });
    this.grouper = new Grouper(this.store, {
      actor: ACTOR,
      profileFor: (hotFolder) => this.profileFor(hotFolder),
      mailroom: { split: (batchId, hotFolder, profile, sources) => this.mailroom.split(batchId, hotFolder, profile, sources) },
    });
    this.runner = new JobRunner(this.store, {
      owner: `${this.stationId}:${process.pid}`,
      leaseMs: config.jobLeaseMs,
      handlers: { process_source: (c) => this.runProcessSource(c), assemble_document: (c) => this.runAssemble(c) },
      // One job more than workers: while a job commits on this thread, the next job's task is
      // already queued, so no worker sits idle.
      concurrency: { process_source: workers + 1, assemble_document: 1 },
      maxAttempts: 5,
      onGaveUp: (job, error) => this.giveUp(job, error),
      onError: (error) => this.emit('problem', { message: error.message }),
    });
    this.sending = new SendingService({
      config,
      paths,
      store: this.store,
      stationId: this.stationId,
      owner: `${this.stationId}:${process.pid}`,
      emit: (event) => this.emit('ui', event),
      onProblem: (message) => this.emit('problem', { message }),
      profileNamed: (name) => [...this.profiles.values()].find((profile) => profile.name === name),
      defaultTargetName: () => this.config.sending.defaultTarget,
      clients: { platformFetch: options.httpFetch },
    });
    this.customers = createCustomerDirectory(this.store.db, config.customers, {
      onChanged: () => this.emit('ui', { type: 'customers-changed' }),
      onProblem: (message) => this.emit('problem', { message }),
    });
    this.mailroom = new MailroomFlow({
      store: this.store,
      actor: ACTOR,
      emit: (event) => this.emit('ui', event),
      barcodeRules: () => (config as { mailroom?: { barcodeRules?: unknown[] } }).mailroom?.barcodeRules,
      lookup: directoryLookup(this.customers),
    });
  }

  /** The configuration in force: as loaded, then as changed by applySettings. */
  get config(): StationConfig {
    return this.current;
  }

  /**
   * Puts saved settings into force without a restart: hot folders that were added, changed or
   * enabled are (re)watched, removed or disabled ones stop being watched, and the default sending
   * target applies to the next send. Profiles of removed folders stay known, so files already taken
   * from them are still processed and grouped by the rules they came in under.
   */
  applySettings(next: Pick<StationConfig, 'hotFolders' | 'sending'>): Promise<void> {
    const run = this.reconfiguring.then(async () => {
      this.current = { ...this.current, hotFolders: next.hotFolders, sending: { ...this.current.sending, defaultTarget: next.sending.defaultTarget } };
      for (const folder of next.hotFolders) this.profiles.set(path.resolve(folder.path), folder.profile);
      if (!this.started || this.stopped || !(this.options.watch ?? true)) return;
      const wanted = new Map(next.hotFolders.filter((f) => f.enabled).map((f) => [path.resolve(f.path), f]));
      for (const [dir, running] of [...this.watchers]) {
        const folder = wanted.get(dir);
        if (folder && JSON.stringify(folder) === JSON.stringify(running.folder)) continue;
        this.watchers.delete(dir);
        await running.watcher.stop();
      }
      for (const folder of wanted.values()) {
        if (!this.watchers.has(path.resolve(folder.path))) await this.watch(folder);
      }
    });
    void run.then(() => this.emit('ui', { type: 'settings-changed' }), () => undefined);
    // A failed change must not block the next one; the caller still sees this one fail.
    this.reconfiguring = run.catch((error: Error) => {
      this.emit('problem', { message: `Applying the settings failed: ${error.message}` });
    });
    return run;
  }

  /** Runs queued jobs now rather than at the runner's next poll (after a page edit queued a rebuild). */
  wakeJobs(): void {
    this.runner.wake();
  }

  /**
   * Starts page workers now for `files` files about to be ingested (up to the configured number),
   * so that none boots only when its first page is already waiting.
   */
  expectFiles(files: number): void {
    this.pool.warm(files);
  }

  /** Registers a profile for a pseudo hot folder (the one-shot CLI uses "cli"). */
  registerProfile(hotFolder: string, profile: Profile): void {
    this.profiles.set(hotFolder, profile);
  }

  profileFor(hotFolder: string): Profile {
    const profile = this.profiles.get(hotFolder) ?? this.profiles.get(path.resolve(hotFolder));
    if (!profile) throw new Error(`No profile is configured for the hot folder ${hotFolder}.`);
    return profile;
  }

  /** Resumes what a previous run left, then starts the job runner, the batch closer and the watchers. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // Whatever a crash left half-written: temp files beside their targets, and the ingest scratch folder.
    removeStaleTempFiles([this.paths.originals, this.paths.pages, this.paths.documents, this.paths.quarantine, this.paths.dataDir]);
    sweepClosedQuarantine(this.store.db, this.paths.quarantine);
    fs.rmSync(this.paths.tmp, { recursive: true, force: true });
    fs.mkdirSync(this.paths.tmp, { recursive: true });
    this.store.jobs.releaseAll();
    await this.ingestor.finishPendingRemovals((hotFolder) => this.targetFor(hotFolder)?.afterIngest === 'delete');
    this.runner.start();
    this.sending.start();
    this.customers.start();
    this.batchTimer = setInterval(() => this.closeBatches(), 250);
    if (this.options.watch ?? true) {
      for (const folder of this.config.hotFolders.filter((f) => f.enabled)) await this.watch(folder);
    }
  }

  async stop(): Promise<void> {
    if (this.batchTimer) clearInterval(this.batchTimer);
    this.stopped = true;
    await this.reconfiguring;
    await Promise.all([...this.watchers.values()].map(({ watcher }) => watcher.stop()));
    this.watchers.clear();
    await this.sending.stop();
    await this.runner.stop();
    await this.customers.stop();
    await this.pool.close();
    this.store.close();
    this.releaseLock();
  }

  /** Takes one file (the watcher calls this for each complete file; the CLI for each argument). */
  async ingest(target: IngestTarget, file: FoundFile): Promise<IngestOutcome> {
    const outcome = await this.ingestor.ingest(target, file);
    const name = outcome.source.original_name;
    if (outcome.kind === 'ingested') {
      this.emit('ingested', { sourceId: outcome.source.id, name, hotFolder: target.hotFolder });
      this.runner.wake();
    } else if (outcome.kind === 'duplicate') {
      this.emit('duplicate', { sourceId: outcome.source.id, name, duplicateOf: outcome.duplicateOf.id, documentId: outcome.duplicateOf.document_id });
    } else if (outcome.kind === 'quarantined') {
      this.emit('quarantined', { sourceId: outcome.source.id, name, code: outcome.source.reason_code ?? 'unknown', reason: outcome.source.reason ?? '' });
    }
    return outcome;
  }

  /** Resolves once every job is done and every batch is closed. */
  async whenIdle(): Promise<void> {
    for (;;) {
      await this.runner.whenIdle();
      this.closeBatches();
      const openWork = this.store.jobs.hasOpenWork() || this.runner.busy > 0;
      if (!openWork && this.store.batches.openCount() === 0) return;
      // A batch that just closed queued its document's job: the runner says when that is done. Only
      // a batch still in its quiet window is looked at again after a pause.
      if (!openWork) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  status(): StationStatus {
    return {
      documents: this.store.documents.countsByState(),
      jobs: this.store.jobs.counts(),
      openBatches: this.store.batches.openCount(),
      quarantined: this.store.sources.quarantined().map((s) => ({ sourceId: s.id, name: s.original_name, code: s.reason_code, reason: s.reason, at: s.updated_at })),
      duplicates: this.store.sources.duplicates().length,
      hotFolders: this.config.hotFolders.map((f) => ({ path: f.path, profile: f.profile.name, watching: this.watchers.has(path.resolve(f.path)) })),
    };
  }

  private targetFor(hotFolder: string): IngestTarget | undefined {
    const folder = this.config.hotFolders.find((f) => path.resolve(f.path) === path.resolve(hotFolder));
    if (!folder) return undefined;
    return { hotFolder: path.resolve(folder.path), profile: folder.profile, afterIngest: folder.profile.afterIngest };
  }

  private async watch(folder: HotFolderConfig): Promise<void> {
    const dir = path.resolve(folder.path);
    fs.mkdirSync(dir, { recursive: true });
    const target = this.targetFor(dir)!;
    const dataDir = path.resolve(this.paths.dataDir) + path.sep;
    const watcher = watchHotFolder({
      dir,
      stableWindowMs: this.config.watcher.stableWindowMs,
      pollIntervalMs: this.config.watcher.pollIntervalMs,
      reconcileIntervalMs: this.config.watcher.reconcileIntervalMs,
      usePolling: folder.polling === 'auto' ? (isUncPath(dir) ? true : 'auto') : folder.polling,
      // The station's own folders are never input, even when the inbox lives in the data folder.
      ignore: (file) => path.resolve(file).startsWith(dataDir) && !path.resolve(file).startsWith(dir + path.sep),
      onStable: async (file) => {
        await this.ingest(target, file);
      },
      onIgnored: (file, reason) => this.emit('ignored', { path: file, reason }),
      onError: (error, file) => {
        if (!(error instanceof NotReadyError)) this.emit('problem', { message: error.message, path: file });
      },
    });
    await watcher.start();
    this.watchers.set(dir, { watcher, folder });
  }

  private closeBatches(): void {
    try {
      const created = this.grouper.closeQuietBatches(Date.now());
      this.mailroom.afterClose();
      if (created.length > 0) {
        this.runner.wake();
        // The queue shows a batch's document from now on (still "processing" until its PDF is built).
        this.emit('ui', { type: 'documents-changed', ids: created, states: ['processing'] });
      }
    } catch (error) {
      this.emit('problem', { message: `Closing a batch failed: ${(error as Error).message}` });
    }
  }

  private cleanOptions(profile: Profile) {
    const { imaging } = this.config;
    return { colourMode: profile.colourMode, jpegQuality: imaging.jpegQuality, minSkewDegrees: imaging.minSkewDegrees, maxSkewDegrees: imaging.maxSkewDegrees };
  }

  private async runProcessSource({ job, complete }: JobContext): Promise<void> {
    const source = this.store.sources.get(job.subject_id);
    if (!source || source.state !== 'ingested' || !source.stored_path) {
      this.store.transaction(complete);
      return;
    }
    const profile = this.profileFor(source.hot_folder);
    const storedPath = path.join(this.paths.dataDir, source.stored_path);
    // Mailroom: barcodes, separator and cover sheets are read in the same task, from the cleaned pixels.
    const mailroom = MailroomFlow.applies(profile);
    const answer = await this.pool.run({
      type: 'process_source',
      task: { sourceId: source.id, storedPath, pagesDir: this.paths.pages, options: this.cleanOptions(profile), ...(mailroom ? { marks: this.mailroom.marksRequest() } : {}) },
    });
    const result = (answer as { result: ProcessSourceResult }).result;
    if (!result.ok) {
      this.quarantineSource(source.id, result.code, result.message, complete);
      return;
    }
    // The worker leaves its page files unsynced: they are synced here, in libuv's pool while this
    // thread and the workers go on, and only then named by the commit (pages/ synced once for
    // all jobs finishing together).
    await Promise.all(result.pages.map((page) => syncFile(path.join(this.paths.pages, page.imagePath))));
    await syncDirectory(this.paths.pages);
    // Committed with the pages.
    const marks = mailroom ? this.mailroom.marksOf(result.pages.map((page) => ({ pageId: `${source.id}-p${page.index}`, blank: page.blank, marks: page.marks }))) : null;
    this.store.transaction(() => {
      for (const page of result.pages) {
        this.store.pages.upsert({
          id: `${source.id}-p${page.index}`,
          source_id: source.id,
          source_index: page.index,
          image_path: page.imagePath,
          image_format: page.imageFormat,
          width: page.width,
          height: page.height,
          dpi: page.dpi,
          skew_degrees: page.skewDegrees,
          skew_confidence: page.skewConfidence,
          skew_reliable: page.skewReliable ? 1 : 0,
          rotated_degrees: page.rotatedDegrees,
          turn_quarters: page.turnQuarters,
          orientation_reliable: page.orientationReliable ? 1 : 0,
          blank: page.blank ? 1 : 0,
          colour_mode: page.colourMode,
          passthrough: page.passthrough ? 1 : 0,
          bytes: page.bytes,
          processing_json: JSON.stringify(page.processing),
        });
      }
      if (marks) this.mailroom.saveMarks(marks);
      this.store.sources.markProcessed(source.id, result.format, result.pages.length);
      this.store.audit.record({ actor: ACTOR, action: 'process', subjectType: 'source', subjectId: source.id, fromState: 'ingested', toState: 'processed', detail: { pages: result.pages.length, format: result.format } });
      this.grouper.onSourceProcessed(this.store.sources.get(source.id)!);
      complete();
    });
    this.emit('processed', { sourceId: source.id, name: source.original_name, pages: result.pages.length });
    if (marks) this.mailroom.onSourceProcessed(this.store.sources.get(source.id)!);
  }

  /** Bad input: the stored original moves to quarantine/ byte for byte, with the reason in the database. */
  private quarantineSource(sourceId: string, code: string, reason: string, complete: () => void): void {
    const source = this.store.sources.get(sourceId)!;
    const from = source.stored_path ? path.join(this.paths.dataDir, source.stored_path) : undefined;
    const kept = from && fs.existsSync(from) ? this.ingestor.keepInQuarantine(source.id, source.original_name, from) : source.stored_path;
    // Durable: the stored copy is deleted right after this commit.
    this.store.durableTransaction(() => {
      for (const page of this.store.pages.deleteForSource(source.id)) {
        const pagePath = path.join(this.paths.pages, page.image_path);
        fs.rmSync(pagePath, { force: true });
        removeJbig2Sidecar(pagePath);
      }
      this.store.sources.markQuarantined(source.id, code, reason, kept);
      this.store.audit.record({ actor: ACTOR, action: 'quarantine', subjectType: 'source', subjectId: source.id, fromState: source.state, toState: 'quarantined', detail: { code } });
      complete();
    });
    if (from && source.stored_path && this.store.sources.countUsingStoredPath(source.stored_path, source.id) === 0) fs.rmSync(from, { force: true });
    this.emit('quarantined', { sourceId: source.id, name: source.original_name, code, reason });
  }

  private async runAssemble({ job, complete }: JobContext): Promise<void> {
    const document = this.store.documents.get(job.subject_id);
    if (!document) {
      this.store.transaction(complete);
      return;
    }
    const pages = this.store.pages.forDocument(document.id).filter((page) => !page.dropped);
    const sources = [...new Set(pages.map((page) => page.source_id))].map((id) => this.store.sources.get(id)!);
    const relativePdf = path.join('documents', `${document.id}.pdf`);
    // Grey pages' layers on every worker at once, in scratch files (a restart empties tmp/).
    const layersDir = path.join(this.paths.tmp, `layers-${document.id}`);
    const layers = await buildLayersAhead(
      pages.map((page) => ({ id: page.id, path: path.join(this.paths.pages, page.image_path), format: page.image_format, dpi: page.dpi })),
      layersDir,
      async (task) => ((await this.pool.run({ type: 'layer_page', task })) as { result: LayerPageResult }).result,
    );
    const answer = await this.pool.run({
      type: 'build_document',
      task: {
        outPath: path.join(this.paths.dataDir, relativePdf),
        pages: pages.map((page) => ({ path: path.join(this.paths.pages, page.image_path), format: page.image_format, width: page.width, height: page.height, dpi: page.dpi, drawing: withStaffTurn(page, drawingFromRecord(page.processing_json)), layersPath: layers.get(page.id) })),
        meta: {
          documentId: document.id,
          title: document.title,
          createdAt: document.created_at,
          stationId: this.stationId,
          sourceSha256: sources.map((s) => s.sha256 ?? ''),
          producer: `Intake Station ${STATION_VERSION}`,
        },
      },
    });
    const built = (answer as { result: BuildDocumentResult }).result;
    let nextState: DocumentState = document.state;
    this.store.transaction(() => {
      // The state now, not when the build began; a document rebuilt after an error is ready for review again.
      const current = this.store.documents.get(document.id)?.state ?? document.state;
      nextState = current === 'processing' || current === 'error' ? 'needs_review' : current;
      // A mailroom document assigned by its barcode or cover sheet is ready (or queued) at once.
      const mailroomState = current === 'processing' ? this.mailroom.stateAfterAssembly(document.id) : null;
      if (mailroomState) {
        nextState = mailroomState;
        this.mailroom.assembled(document.id);
      }
      this.store.documents.setAssembled(document.id, relativePdf, built.sha256, built.bytes, pages.length, nextState);
      this.store.audit.record({ actor: ACTOR, action: 'assemble', subjectType: 'document', subjectId: document.id, fromState: document.state, toState: nextState, detail: { pages: pages.length, sha256: built.sha256 } });
      complete();
    });
    fs.rmSync(layersDir, { recursive: true, force: true });
    this.emit('document', { documentId: document.id, pages: pages.length, state: nextState });
    if (nextState === 'queued') this.sending.wake();
  }

  /** A step failed on every attempt: never silently: the source goes to quarantine, a document to "error". */
  private giveUp(job: JobRow, error: Error): void {
    const message = `Processing failed after several attempts: ${error.message}`;
    if (job.kind === 'process_source') {
      this.quarantineSource(job.subject_id, 'processing_failed', message, () => undefined);
    } else {
      this.store.transaction(() => {
        this.store.documents.setState(job.subject_id, 'error', message);
        this.store.audit.record({ actor: ACTOR, action: 'error', subjectType: 'document', subjectId: job.subject_id, toState: 'error', detail: { message } });
      });
    }
  }
}

/** Opens a station on a data folder: loads (or creates) its configuration unless one is given. */
export function createStation(options: StationOptions): Station {
  const paths = stationPaths(path.resolve(options.dataDir));
  const config = options.config ?? loadConfig(paths.dataDir).config;
  return new Station(config, paths, options);
}

export { ignoredNameReason };
