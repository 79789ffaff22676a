/**
 * The hot-folder watcher: finds the files scanners drop into a folder and hands each complete file
 * to the ingest exactly once per version.
 *
 * Three sources feed one list of candidates: chokidar events (fast), a full listing at start (the
 * files already there), and a periodic full listing (events get lost: network shares, overflowing
 * inotify queues, sleeping laptops). Every candidate goes through the same stability check, so a
 * file is never taken half-written, however it was found.
 */
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ignoredNameReason, isUncPath } from './names.js';
import { isLockError, judge, openForReading, type Observation } from './stability.js';

export interface StableFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface WatcherOptions {
  dir: string;
  /** Size and mtime unchanged this long => complete (empty files wait three times as long). */
  stableWindowMs: number;
  /** 'auto' => polling for UNC paths, whose change notifications are unreliable. */
  usePolling: boolean | 'auto';
  /** How often candidates are re-examined, and chokidar's interval in polling mode. */
  pollIntervalMs?: number;
  /** Period of the full listing that finds files whose events were lost. */
  reconcileIntervalMs: number;
  /** Paths never to take, silently: the station's own outputs. */
  ignore?: (absPath: string) => boolean;
  /**
   * Called once per file version (path, size, mtime), at most once at a time per path; awaited.
   * A throw is reported via onError and the file is offered again at the next reconcile.
   */
  onStable: (file: StableFile) => Promise<void>;
  /** Each temporary, hidden or system file is reported once while it exists. */
  onIgnored?: (path: string, reason: string) => void;
  onError?: (error: Error, path?: string) => void;
  /** Default false: scanners write into the folder itself. */
  recursive?: boolean;
  /** onStable calls running at once (default 4), so a burst of files does not open them all. */
  concurrency?: number;
  /** @internal Tests only: no file system events, so only the reconcile can find files. */
  disableEvents?: boolean;
  /**
   * @internal Tests only: replaces the "can it be opened for reading" probe, because Linux cannot
   * produce the exclusive locks a Windows scanner holds while writing.
   */
  probeReadable?: (path: string) => Promise<void>;
}

export interface HotFolderWatcher {
  start(): Promise<void>;
  stop(): Promise<void>;
  reconcileNow(): Promise<void>;
  /** Files found and not yet finished: settling, locked, queued or being delivered. */
  readonly pending: number;
}

export const DEFAULT_CONCURRENCY = 4;
/** Stats run in parallel during one examination round; bounded so a big folder cannot flood libuv. */
const STAT_CONCURRENCY = 32;
/** A file still locked by its writer after this long is reported once, so an operator learns why it waits. */
export const LOCK_REPORT_AFTER_MS = 30_000;

/** Default examination period: a quarter of the window keeps the delay after stability small. */
export function defaultPollIntervalMs(stableWindowMs: number): number {
  return Math.max(50, Math.min(500, Math.round(stableWindowMs / 4)));
}

export function watchHotFolder(options: WatcherOptions): HotFolderWatcher {
  return new Watcher(validateOptions(options));
}

function validateOptions(options: WatcherOptions): WatcherOptions {
  if (!options || typeof options !== 'object') throw new TypeError('watchHotFolder: options object required');
  const { dir, stableWindowMs, reconcileIntervalMs, pollIntervalMs, concurrency, usePolling } = options;
  if (typeof dir !== 'string' || dir.trim() === '') {
    throw new TypeError(`watchHotFolder: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  }
  if (!Number.isFinite(stableWindowMs) || stableWindowMs < 0) {
    throw new RangeError(`watchHotFolder: stableWindowMs must be a non-negative number of ms, got ${stableWindowMs}`);
  }
  if (!Number.isFinite(reconcileIntervalMs) || reconcileIntervalMs <= 0) {
    throw new RangeError(`watchHotFolder: reconcileIntervalMs must be a positive number of ms, got ${reconcileIntervalMs}`);
  }
  if (pollIntervalMs !== undefined && (!Number.isFinite(pollIntervalMs) || pollIntervalMs <= 0)) {
    throw new RangeError(`watchHotFolder: pollIntervalMs must be a positive number of ms, got ${pollIntervalMs}`);
  }
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new RangeError(`watchHotFolder: concurrency must be an integer of at least 1, got ${concurrency}`);
  }
  if (usePolling !== true && usePolling !== false && usePolling !== 'auto') {
    throw new TypeError(`watchHotFolder: usePolling must be true, false or 'auto', got ${JSON.stringify(usePolling)}`);
  }
  if (typeof options.onStable !== 'function') throw new TypeError('watchHotFolder: onStable must be a function');
  return options;
}

/** Where a path stands in the pipeline. Paths not in the map are unknown or finished. */
interface Tracked {
  observation?: Observation;
  state: 'watching' | 'queued' | 'delivering';
  /** Something happened to the file while it was queued or delivered: examine it again afterwards. */
  recheck: boolean;
  lockedSince?: number;
  lockReported?: boolean;
}

const fileKey = (size: number, mtimeMs: number): string => `${size}:${mtimeMs}`;
const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;
const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

class Watcher implements HotFolderWatcher {
  private readonly root: string;
  private readonly pollIntervalMs: number;
  private readonly concurrency: number;
  private readonly probe: (path: string) => Promise<void>;

  private readonly tracked = new Map<string, Tracked>();
  /** path -> size:mtime of the version onStable accepted; forgotten when the file goes away. */
  private readonly delivered = new Map<string, string>();
  private readonly reportedIgnored = new Set<string>();
  private readonly queue: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private active = 0;

  private fsWatcher?: FSWatcher;
  private examineTimer?: NodeJS.Timeout;
  private examining?: Promise<void>;
  private reconcileTimer?: NodeJS.Timeout;
  private reconcileChain: Promise<void> = Promise.resolve();
  private started = false;
  private stopped = false;
  private stopping?: Promise<void>;

  constructor(private readonly options: WatcherOptions) {
    this.root = resolve(options.dir);
    this.pollIntervalMs = options.pollIntervalMs ?? defaultPollIntervalMs(options.stableWindowMs);
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.probe = options.probeReadable ?? openForReading;
  }

  get pending(): number {
    return this.tracked.size;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error(`Hot folder watcher for ${this.root} was already started; create a new one`);
    this.started = true;
    await this.assertFolder();
    if (!this.options.disableEvents) await this.startEvents();
    if (this.stopped) return;
    // After the events are on, so a file written now is found by one or the other.
    await this.reconcileNow();
    this.scheduleReconcile();
  }

  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopped = true;
    clearTimeout(this.examineTimer);
    clearTimeout(this.reconcileTimer);
    this.examineTimer = undefined;
    this.reconcileTimer = undefined;
    // Queued files are not started; they stay in the folder and are found on the next start.
    this.queue.length = 0;
    this.stopping = (async () => {
      await this.fsWatcher?.close();
      await this.examining;
      await this.reconcileChain;
      await Promise.allSettled([...this.inFlight]);
      this.tracked.clear();
    })();
    return this.stopping;
  }

  reconcileNow(): Promise<void> {
    const run = this.reconcileChain.then(() => this.reconcileOnce());
    this.reconcileChain = run.catch(() => undefined);
    return run;
  }

  private async assertFolder(): Promise<void> {
    let info;
    try {
      info = await stat(this.root);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') throw new Error(`Hot folder ${this.root} does not exist`);
      throw new Error(`Hot folder ${this.root} cannot be read: ${toError(error).message}`);
    }
    if (!info.isDirectory()) throw new Error(`Hot folder ${this.root} is not a folder`);
  }

  private async startEvents(): Promise<void> {
    const usePolling = this.options.usePolling === 'auto' ? isUncPath(this.options.dir) : this.options.usePolling;
    const recursive = this.options.recursive ?? false;
    const watcher = chokidarWatch(this.root, {
      persistent: true,
      // The start-up listing is ours (reconcile), so one code path takes existing files.
      ignoreInitial: true,
      usePolling,
      interval: this.pollIntervalMs,
      binaryInterval: this.pollIntervalMs,
      depth: recursive ? undefined : 0,
      ignored: (path, stats) =>
        path !== this.root &&
        (this.isExcluded(path) || (recursive && stats?.isDirectory() === true && ignoredNameReason(basename(path)) !== null)),
    });
    this.fsWatcher = watcher;
    watcher.on('add', (path) => this.consider(path));
    watcher.on('change', (path) => this.consider(path));
    watcher.on('unlink', (path) => this.forget(path));
    watcher.on('error', (error) => this.report(toError(error)));
    await new Promise<void>((resolveReady, rejectReady) => {
      watcher.once('ready', resolveReady);
      watcher.once('error', rejectReady);
    });
  }

  private isExcluded(path: string): boolean {
    try {
      return this.options.ignore?.(path) ?? false;
    } catch (error) {
      this.report(new Error(`ignore() threw for ${path}: ${toError(error).message}`), path);
      return true;
    }
  }

  /** Why a path inside the hot folder is not a scan (any segment may be a hidden folder), or null. */
  private ignoredReason(path: string): string | null {
    const segments = relative(this.root, path).split(sep);
    for (let i = 0; i < segments.length; i++) {
      const reason = ignoredNameReason(segments[i]);
      if (reason) return i === segments.length - 1 ? reason : `inside an ignored folder: ${reason}`;
    }
    return null;
  }

  /** A path was seen (event or listing): start watching it unless it is ignored or already known. */
  private consider(path: string): void {
    if (this.stopped) return;
    const known = this.tracked.get(path);
    if (known) {
      if (known.state !== 'watching') known.recheck = true;
      return;
    }
    if (this.isExcluded(path)) return;
    const reason = this.ignoredReason(path);
    if (reason) {
      if (!this.reportedIgnored.has(path)) {
        this.reportedIgnored.add(path);
        try {
          this.options.onIgnored?.(path, reason);
        } catch (error) {
          // It runs inside chokidar's event dispatch, where a throw would surface as an unhandled rejection.
          this.report(new Error(`onIgnored threw for ${path}: ${toError(error).message}`), path);
        }
      }
      return;
    }
    this.tracked.set(path, { state: 'watching', recheck: false });
    this.scheduleExamine();
  }

  /** The file went away: a file of the same name later is a new scan. */
  private forget(path: string): void {
    this.delivered.delete(path);
    this.reportedIgnored.delete(path);
    const known = this.tracked.get(path);
    if (known?.state === 'watching') this.tracked.delete(path);
    else if (known) known.recheck = true;
  }

  private scheduleExamine(): void {
    if (this.stopped || this.examineTimer || this.examining) return;
    this.examineTimer = setTimeout(() => {
      this.examineTimer = undefined;
      this.examining = this.examineAll().finally(() => {
        this.examining = undefined;
        if ([...this.tracked.values()].some((t) => t.state === 'watching')) this.scheduleExamine();
      });
    }, this.pollIntervalMs);
  }

  private async examineAll(): Promise<void> {
    const watching = [...this.tracked].filter(([, t]) => t.state === 'watching').map(([path]) => path);
    await forEachLimited(watching, STAT_CONCURRENCY, (path) => this.examine(path));
  }

  /** One look at a watched file: record changes, and queue it once it has settled and can be opened. */
  private async examine(path: string): Promise<void> {
    const entry = this.tracked.get(path);
    if (!entry || entry.state !== 'watching' || this.stopped) return;
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      this.dropAfterError(path, entry, error);
      return;
    }
    if (this.tracked.get(path) !== entry || entry.state !== 'watching') return;
    if (!info.isFile()) {
      this.tracked.delete(path);
      return;
    }
    if (this.delivered.get(path) === fileKey(info.size, info.mtimeMs)) {
      this.tracked.delete(path);
      return;
    }
    const { observation, verdict } = judge(entry.observation, info, performance.now(), this.options.stableWindowMs);
    entry.observation = observation;
    if (verdict !== 'settled') return;

    try {
      await this.probe(path);
    } catch (error) {
      this.dropAfterError(path, entry, error);
      return;
    }
    entry.lockedSince = undefined;
    if (this.stopped || this.tracked.get(path) !== entry || entry.state !== 'watching') return;
    entry.state = 'queued';
    this.queue.push(path);
    this.pump();
  }

  /** Locked files stay watched; vanished ones are forgotten; anything else waits for the next reconcile. */
  private dropAfterError(path: string, entry: Tracked, error: unknown): void {
    if (this.tracked.get(path) !== entry) return;
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      this.forget(path);
      return;
    }
    if (isLockError(error)) {
      const now = performance.now();
      entry.lockedSince ??= now;
      if (!entry.lockReported && now - entry.lockedSince >= LOCK_REPORT_AFTER_MS) {
        entry.lockReported = true;
        this.report(
          new Error(`${path} is still held by another program after ${Math.round((now - entry.lockedSince) / 1000)} s (${code}); waiting for it`),
          path,
        );
      }
      return;
    }
    this.tracked.delete(path);
    this.report(new Error(`Cannot examine ${path}: ${toError(error).message}`), path);
  }

  private pump(): void {
    while (!this.stopped && this.active < this.concurrency && this.queue.length > 0) {
      const path = this.queue.shift()!;
      const entry = this.tracked.get(path);
      if (!entry || entry.state !== 'queued' || !entry.observation) continue;
      entry.state = 'delivering';
      this.active++;
      const file: StableFile = { path, size: entry.observation.size, mtimeMs: entry.observation.mtimeMs };
      const run: Promise<void> = this.deliver(file, entry).finally(() => {
        this.active--;
        this.inFlight.delete(run);
        this.pump();
      });
      this.inFlight.add(run);
    }
  }

  private async deliver(file: StableFile, entry: Tracked): Promise<void> {
    let accepted = false;
    try {
      await this.options.onStable(file);
      accepted = true;
    } catch (error) {
      this.report(toError(error), file.path);
    }
    if (accepted) this.delivered.set(file.path, fileKey(file.size, file.mtimeMs));
    if (this.tracked.get(file.path) !== entry) return;
    if (!entry.recheck || this.stopped) {
      // Done, or failed: a failed file is offered again by the next reconcile, not in a tight loop.
      this.tracked.delete(file.path);
      return;
    }
    // It changed or vanished meanwhile: watch it afresh (a vanished one is dropped on the next look).
    entry.state = 'watching';
    entry.recheck = false;
    if (!accepted) entry.observation = undefined;
    this.scheduleExamine();
  }

  private scheduleReconcile(): void {
    if (this.stopped) return;
    this.reconcileTimer = setTimeout(() => {
      this.reconcileTimer = undefined;
      void this.reconcileNow().finally(() => this.scheduleReconcile());
    }, this.options.reconcileIntervalMs);
  }

  private async reconcileOnce(): Promise<void> {
    if (this.stopped) return;
    let files: string[];
    try {
      files = await this.listFiles(this.root);
    } catch (error) {
      this.report(new Error(`Cannot list hot folder ${this.root}: ${toError(error).message}`));
      return;
    }
    if (this.stopped) return;
    const present = new Set(files);
    for (const path of files) this.consider(path);
    // What is gone no longer needs remembering; a new file of the same name is a new scan.
    for (const path of this.delivered.keys()) if (!present.has(path)) this.delivered.delete(path);
    for (const path of this.reportedIgnored) if (!present.has(path)) this.reportedIgnored.delete(path);
  }

  private async listFiles(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true });
    const files: string[] = [];
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (!entry.isDirectory()) {
        files.push(path);
        continue;
      }
      if (!this.options.recursive || this.isExcluded(path) || ignoredNameReason(entry.name)) continue;
      try {
        files.push(...(await this.listFiles(path)));
      } catch (error) {
        // A subfolder removed or locked mid-listing must not hide the rest of the tree.
        if (errorCode(error) !== 'ENOENT') this.report(new Error(`Cannot list ${path}: ${toError(error).message}`), path);
      }
    }
    return files;
  }

  private report(error: Error, path?: string): void {
    if (this.options.onError) {
      try {
        this.options.onError(error, path);
      } catch {
        // A failing error handler must not stop the watcher.
      }
      return;
    }
    console.error(`[hot-folder] ${path ?? this.root}: ${error.message}`);
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}
