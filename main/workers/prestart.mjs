// Page workers started before the code that will use them is loaded: the CLI launcher starts one
// as soon as it knows where the bundle is, so the worker's boot (sharp and the page code, about
// half a second of CPU) runs on the other core while the main thread loads the CLI and opens the
// database. The pool (pool.ts) adopts it instead of starting its own.
//
// Plain JavaScript: the launcher imports it before anything could compile TypeScript. The bundle
// holds its own copy of this module, so the parked workers live on a global both copies share.
import { Worker } from 'node:worker_threads';

const PARKED = Symbol.for('intake-station.prestarted-page-workers');

/** @returns {Map<string, { worker: Worker, failed: boolean }[]>} */
function parked() {
  globalThis[PARKED] ??= new Map();
  return globalThis[PARKED];
}

/**
 * Starts a page worker for `entryHref` through the boot script `bootUrl` (as the pool would) and
 * parks it. It never keeps the process alive on its own.
 * @param {URL} bootUrl
 * @param {string} entryHref
 * @returns {Worker}
 */
export function prestartWorker(bootUrl, entryHref) {
  const worker = new Worker(bootUrl, { workerData: { entry: entryHref } });
  worker.unref();
  const record = { worker, failed: false, dropListeners: () => {} };
  // Until the pool takes it, a failure only marks it: the pool then starts a fresh worker.
  const fail = () => {
    record.failed = true;
  };
  worker.on('error', fail);
  worker.on('exit', fail);
  record.dropListeners = () => {
    worker.off('error', fail);
    worker.off('exit', fail);
  };
  const list = parked().get(entryHref) ?? [];
  list.push(record);
  parked().set(entryHref, list);
  return worker;
}

/**
 * A parked worker for `entryHref` that is still sound, or undefined.
 * @param {string} entryHref
 * @returns {Worker | undefined}
 */
export function takePrestartedWorker(entryHref) {
  const list = parked().get(entryHref);
  while (list && list.length > 0) {
    const record = list.shift();
    record.dropListeners();
    if (!record.failed) return record.worker;
    void record.worker.terminate();
  }
  return undefined;
}
