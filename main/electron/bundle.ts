/**
 * `npm run build:main`: bundles the desktop app's Node side with esbuild (the renderer is vite's job).
 *   main/index.ts                → dist/main/index.js        (Electron main, ESM)
 *   main/electron/core-process.ts → dist/main/core-process.js (the station core in a utilityProcess)
 *   main/workers/page-worker.ts  → dist/main/page-worker.js  (+ boot.mjs: the page worker threads)
 *   preload/index.ts             → dist/preload/index.cjs    (sandboxed preloads must be CommonJS)
 * Packages stay external: electron-builder ships the production node_modules, and native modules
 * (better-sqlite3, sharp, @napi-rs/canvas) must load from disk, unpacked from the asar.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const at = (relative: string) => path.join(root, relative);

/** Electron 45 runs Node 22 in main and utility processes, Chromium 142 in the preload. */
const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
};

/**
 * The preload needs only the contract's operation names, not its zod schemas (about 700 KB):
 * the contract module is replaced by the list of names, taken from the contract itself.
 */
async function operationNamesOnly(): Promise<Plugin> {
  const { operationNames } = await import('../../preload/contract/index.js');
  const contractIndex = at('preload/contract/index.ts');
  return {
    name: 'operation-names-only',
    setup(builder) {
      builder.onLoad({ filter: /[\\/]preload[\\/]contract[\\/]index\.ts$/ }, (args) =>
        path.resolve(args.path) === contractIndex ? { contents: `export const operationNames = ${JSON.stringify(operationNames)};`, loader: 'js' } : undefined,
      );
    },
  };
}

/** Bundles into `outRoot` (default: the project's dist/); returns the files written, relative to it. */
export async function bundleMain(outRoot: string = at('dist')): Promise<string[]> {
  const out = (relative: string) => path.join(outRoot, relative);
  fs.rmSync(out('main'), { recursive: true, force: true });
  fs.rmSync(out('preload'), { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: { index: at('main/index.ts'), 'core-process': at('main/electron/core-process.ts'), 'page-worker': at('main/workers/page-worker.ts') },
    outdir: out('main'),
    format: 'esm',
    outExtension: { '.js': '.js' },
    packages: 'external',
    // Bundled ESM has no require(); a few dependencies' CommonJS paths still ask for it.
    banner: { js: "import { createRequire as __stationCreateRequire } from 'node:module'; const require = __stationCreateRequire(import.meta.url);" },
  });
  // The worker pool loads boot.mjs beside its own module, and boot.mjs imports the worker entry.
  fs.copyFileSync(at('main/workers/boot.mjs'), out('main/boot.mjs'));
  await build({
    ...common,
    entryPoints: [at('preload/index.ts')],
    outfile: out('preload/index.cjs'),
    format: 'cjs',
    target: 'chrome142',
    // In a sandboxed preload only 'electron' (and a few Node built-ins) can be required.
    external: ['electron'],
    plugins: [await operationNamesOnly()],
  });
  return ['main/index.js', 'main/core-process.js', 'main/page-worker.js', 'main/boot.mjs', 'preload/index.cjs'];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  bundleMain().then(
    (files) => {
      for (const file of files) console.log(`built dist/${file} (${Math.round(fs.statSync(at(`dist/${file}`)).size / 1024)} KB)`);
    },
    (error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
