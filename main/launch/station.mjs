/**
 * `npm run station -- <command>`: the headless CLI (main/cli.ts) from a cached bundle of it, so a
 * start costs no TypeScript compilation in the main thread or the page workers. The bundle is built
 * on first use and after any change to its sources (bundle-cache.mjs); when it cannot be built, or
 * with STATION_NO_BUNDLE=1, the CLI runs from source through tsx as before.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureBundle, touchBundle } from './bundle-cache.mjs';
import { prestartWorker } from '../workers/prestart.mjs';
import { endWithLauncher, relaunchWithTunedMalloc, wantsTunedMallocRelaunch } from './tuned-malloc.mjs';

/**
 * Commands whose station cleans pages: their first page worker starts here, so that it boots while
 * the CLI loads and opens the database (the pool adopts it).
 */
const COMMANDS_WITH_PAGE_WORKERS = new Set(['process', 'watch']);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function loadCli() {
  if (process.env.STATION_NO_BUNDLE !== '1') {
    let bundle;
    try {
      bundle = await ensureBundle({ root });
    } catch (error) {
      process.stderr.write(`station: running from source, the bundle could not be built: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    if (bundle) {
      setInterval(() => touchBundle(bundle.dir), 3600 * 1000).unref();
      if (COMMANDS_WITH_PAGE_WORKERS.has(process.argv[2] ?? '')) {
        prestartWorker(pathToFileURL(path.join(bundle.dir, 'boot.mjs')), pathToFileURL(path.join(bundle.dir, 'page-worker.js')).href);
      }
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
