/**
 * Entry of `npm run bench`:
 *   npm run bench                      the process bench (throughput and memory of `station process`)
 *   npm run bench -- process [opts]    the same; opts: --quick (40-page smoke run), --reps N, --cpu-prof, --no-large, --per-file
 *   npm run bench -- cleanup [opts]    the skew/clean-up bench (test/bench/cleanup.ts)
 *   npm run bench -- all               both
 *   npm run bench -- ui-queue [opts]   a batch dropped while the queue is open in Chromium (test/bench/ui-queue.ts)
 *   npm run bench -- customers [opts]  customer directory: import and search latency (test/bench/customers.ts); opts: --count N, --queries N
 *   npm run bench -- upload [opts]     sending: documents/s to the loopback receiver, then customer search latency (test/bench/upload.ts); opts: --count N, --kb N, --concurrency 1,2, --no-search
 *   npm run bench -- mailroom [opts]   mailroom batch: separation + barcode reading, pages/s (test/bench/mailroom.ts); opts: --pages N, --quick
 *   npm run bench -- barcodes [opts]   page marks (barcodes, patch codes) in ms/page by page kind (test/bench/barcodes.ts); opts: --reps N, --thorough
 *   npm run bench -- sizes [opts]      bytes per page in the PDF (JBIG2, mixed raster content) and their CPU ms (test/bench/sizes.ts); opts: --reps N
 * Options without a bench name (e.g. `npm run bench -- --quick`) go to the process bench.
 */
import { pathToFileURL } from 'node:url';
import { runProcessBench } from './process.js';

type Bench = (args: string[]) => Promise<void>;

async function loadCleanupBench(): Promise<Bench | undefined> {
  try {
    const module = (await import('./cleanup.js')) as { runCleanupBench?: Bench };
    if (typeof module.runCleanupBench === 'function') return module.runCleanupBench;
    console.error('test/bench/cleanup.ts exists but does not export runCleanupBench(args: string[]): Promise<void>.');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes('cleanup')) {
      console.error('The cleanup bench is not there yet: test/bench/cleanup.ts is missing.');
    } else {
      console.error(`The cleanup bench could not be loaded: ${(error as Error).stack ?? error}`);
    }
  }
  return undefined;
}

const BENCHES = ['process', 'cleanup', 'all', 'mailroom', 'barcodes', 'customers', 'ui-queue', 'upload', 'sizes'] as const;

export async function main(argv: string[]): Promise<number> {
  const named = argv[0] !== undefined && !argv[0].startsWith('-');
  const name = named ? argv[0] : 'process';
  const rest = named ? argv.slice(1) : argv;
  switch (name) {
    case 'process':
      await runProcessBench(rest);
      return 0;
    case 'cleanup': {
      const cleanup = await loadCleanupBench();
      if (!cleanup) return 1;
      await cleanup(rest);
      return 0;
    }
    case 'all': {
      await runProcessBench(rest);
      const cleanup = await loadCleanupBench();
      if (!cleanup) return 1;
      await cleanup([]);
      return 0;
    }
    case 'mailroom': {
      const { runMailroomBench } = await import('./mailroom.js');
      await runMailroomBench(rest);
      return 0;
    }
    case 'barcodes': {
      const { runBarcodesBench } = await import('./barcodes.js');
      await runBarcodesBench(rest);
      return 0;
    }
    case 'customers': {
      const { runCustomersBench } = await import('./customers.js');
      await runCustomersBench(rest);
      return 0;
    }
    case 'upload': {
      const { runUploadBench } = await import('./upload.js');
      await runUploadBench(rest);
      return 0;
    }
    case 'sizes': {
      const { runSizesBench } = await import('./sizes.js');
      await runSizesBench(rest);
      return 0;
    }
    case 'ui-queue': {
      const { runUiQueueBench } = await import('./ui-queue.js');
      await runUiQueueBench(rest);
      return 0;
    }
    default:
      console.error(`Unknown bench "${name}". Choose one of: ${BENCHES.join(', ')} (no name runs "process").`);
      return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => {
      // A bench may already have set a failing exit code (e.g. the station reported problems).
      if (code !== 0) process.exitCode = code;
    },
    (error: Error) => {
      // RangeError = a wrong option: its message says what to do; anything else needs its stack.
      console.error(error instanceof RangeError ? error.message : error.stack ?? error.message);
      process.exitCode = 1;
    },
  );
}
