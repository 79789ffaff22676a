/**
 * `npm run station -- <command>`: the headless CLI (main/cli.ts) from a cached bundle of it, so a
 * start costs no TypeScript compilation in the main thread or the page workers. The bundle is built
 * on first use and after any change to its sources (bundle-cache.mjs); when it cannot be built, or
 * with STATION_NO_BUNDLE=1, the CLI runs from source through tsx as before.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { endWithLauncher, relaunchWithTunedMalloc, wantsTunedMallocRelaunch } from './tuned-malloc.mjs';

/**
 * Commands whose station cleans pages: their first page worker starts here, so that it boots while
 * the CLI loads and opens the database (the pool adopts it).
 */
const COMMANDS_WITH_PAGE_WORKERS = new Set(['process', 'watch']);

/** The options of `process` that take a value (cli.ts); the other words are its inputs. */
const PROCESS_VALUE_OPTIONS = new Set(['--out', '--data-dir', '--colour', '--customer', '--type', '--pages', '--name']);

/**
 * How many page workers to start here: `process` with two or more input files (counted up to the
 * number of cores, the pool's size with the default settings it runs under) gets one per core, so
 * that the second one too boots while the CLI loads instead of after it; `watch` (and a one-file
 * `process`) gets one, the others start when work waits for them. A file the CLI then ignores by
 * its name costs at most a worker that boots and waits.
 */
function workersToPrestart(argv) {
  if (argv[0] !== 'process') return 1;
  const cores = os.availableParallelism();
  let files = 0;
  for (let i = 1; i < argv.length && files < cores; i++) {
    const arg = argv[i];
    if (arg.startsWith('-')) {
      if (PROCESS_VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    const stat = fs.statSync(arg, { throwIfNoEntry: false });
    if (stat?.isFile()) files++;
    else if (stat?.isDirectory()) {
      try {
        for (const entry of fs.readdirSync(arg, { withFileTypes: true })) {
          if (!entry.isDirectory() && !entry.name.startsWith('.') && ++files >= cores) break;
        }
      } catch {
        // The CLI reports an unreadable folder itself.
      }
    }
  }
  return Math.max(1, Math.min(files, cores));
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function loadCli() {
  if (process.env.STATION_NO_BUNDLE !== '1') {
    // Loaded here, not at the top: a launcher that only relaunches the station needs neither.
    const { ensureBundle, touchBundle, pointedBundleDir } = await import('./bundle-cache.mjs');
    const prestart = COMMANDS_WITH_PAGE_WORKERS.has(process.argv[2] ?? '') ? await import('../workers/prestart.mjs') : undefined;
    const workerEntry = (dir) => pathToFileURL(path.join(dir, 'page-worker.js')).href;
    const startWorkers = (dir) => {
      for (let n = workersToPrestart(process.argv.slice(2)); n > 0; n--) prestart.prestartWorker(pathToFileURL(path.join(dir, 'boot.mjs')), workerEntry(dir));
    };
    // The workers start on the bundle the cache names before ensureBundle has checked it (it hashes
    // every source file): the first page waits for their boot, not for the check. Should the check
    // find that bundle stale, those workers are stopped and new ones started on the fresh bundle.
    const guessed = prestart ? pointedBundleDir({ root }) : null;
    if (guessed) startWorkers(guessed);
    let bundle;
    try {
      bundle = await ensureBundle({ root });
    } catch (error) {
      process.stderr.write(`station: running from source, the bundle could not be built: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    if (guessed && bundle?.dir !== guessed) {
      for (let worker; (worker = prestart.takePrestartedWorker(workerEntry(guessed))); ) void worker.terminate();
    }
    if (bundle) {
      setInterval(() => touchBundle(bundle.dir), 3600 * 1000).unref();
      if (prestart && bundle.dir !== guessed) startWorkers(bundle.dir);
      return import(pathToFileURL(path.join(bundle.dir, 'cli.js')).href);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('./cli-entry.ts');
}

if (COMMANDS_WITH_PAGE_WORKERS.has(process.argv[2] ?? '') && wantsTunedMallocRelaunch()) {
  // Page work on Linux: once more with glibc's malloc tuned for page-sized buffers (tuned-malloc.mjs).
  relaunchWithTunedMalloc(fileURLToPath(import.meta.url), process.argv.slice(2));
} else {
  endWithLauncher();
  (await loadCli()).run(process.argv.slice(2));
}
