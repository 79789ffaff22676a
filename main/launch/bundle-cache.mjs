/**
 * The headless CLI and its page workers as one esbuild bundle, built on first use into a cache
 * folder and reused while every file it was built from is unchanged. Loading TypeScript through
 * tsx costs seconds of CPU per start (its loader thread, per isolate: the main thread and each page
 * worker); a bundle is plain ESM that Node loads by itself.
 *
 * Plain JavaScript on purpose: this runs on every start, before anything could compile TypeScript.
 *
 * Never stale: the bundle's key hashes the exact bytes esbuild was given for every input (recorded
 * as they are loaded, so a file saved during the build cannot slip in unrecorded) plus the files
 * that shape the output without being inputs (lockfile, tsconfig, this builder, the worker boot).
 * A start re-hashes the inputs the current bundle lists; any difference means a new build.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// node:crypto is loaded when a key is computed, not with this module: a start reads the pointer
// (pointedBundleDir) before anything is hashed.
const require = createRequire(import.meta.url);
const crypto = {
  createHash: (algorithm) => require('node:crypto').createHash(algorithm),
  randomBytes: (size) => require('node:crypto').randomBytes(size),
};

/** Bumped when the cache layout changes, so an older layout is never read as the new one. */
const LAYOUT = 1;
const ENTRY_POINTS = { cli: 'main/launch/cli-entry.ts', 'page-worker': 'main/workers/page-worker.ts' };
/** Not bundled, yet they change what the bundle is or does. */
export const SHAPING_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'main/launch/bundle-cache.mjs', 'main/workers/boot.mjs'];
/**
 * A bundle unused this long is removed when another is built. A start touches its bundle's folder and
 * a running CLI touches it hourly (touchBundle), so a bundle still running is never removed: its
 * lazy chunks and page-worker.js may be loaded hours after the start.
 */
const UNUSED_MS = 24 * 3600 * 1000;
/**
 * Packages whose JavaScript is compiled into the bundle instead of loaded from node_modules: Node
 * resolves, reads and compiles each file of a package on its own, which for these dozens or
 * hundreds of small files costs more than the code itself. Measured import CPU, from node_modules
 * and bundled: zod 150 -> 80 ms (every start), sharp with its helpers 260 -> 75 ms (every page
 * worker), pdf-lib 440 -> 100 ms. Native addons (sharp's libvips binding, better-sqlite3),
 * WebAssembly and packages that read files beside themselves stay in node_modules; sharp finds its
 * binding from the bundle's folder as it would from its own.
 */
export const BUNDLED_PACKAGES = [
  'zod',
  'chokidar',
  'readdirp',
  'pdf-lib',
  '@pdf-lib/standard-fonts',
  '@pdf-lib/upng',
  'pako',
  'tslib',
  'sharp',
  'semver',
  'detect-libc',
  '@img/colour',
];
const ZOD_LOCALES_NAMESPACE = 'zod-english-only';
const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' };

export function defaultCacheDir(root) {
  return path.join(root, 'node_modules', '.cache', 'intake-station');
}

/** Forward slashes, relative to the project: the same key on every platform and checkout folder. */
function relativeTo(root, file) {
  return path.relative(root, file).split(path.sep).join('/');
}

function readOrNull(file) {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
    throw error;
  }
}

/**
 * The key of a bundle built from `inputs` (paths relative to `root`); `read` gives a file's bytes
 * (null when it does not exist, which is part of the key too).
 */
function keyOf(inputs, read) {
  const hash = crypto.createHash('sha256');
  const names = [...new Set([...SHAPING_FILES, ...inputs])].sort();
  hash.update(`intake-station cli bundle ${LAYOUT}\0`);
  for (const name of names) {
    const bytes = read(name);
    hash.update(`${name}\0${bytes === null ? -1 : bytes.length}\0`);
    if (bytes !== null) hash.update(bytes);
  }
  return hash.digest('hex').slice(0, 24);
}

/** The key a bundle of these inputs would have, from the files as they are now. */
export function bundleKey(root, inputs) {
  return keyOf(inputs, (name) => readOrNull(path.join(root, name)));
}

function pointerFile(cacheDir) {
  return path.join(cacheDir, 'cli.json');
}

function bundleDir(cacheDir, key) {
  return path.join(cacheDir, `cli-${key}`);
}

/**
 * The folder of the bundle the cache names as current, without checking that it is fresh (no file
 * is hashed): to start page workers on at once, while findBundle checks it. Null when there is none.
 */
export function pointedBundleDir({ root, cacheDir = defaultCacheDir(root) }) {
  try {
    const pointer = JSON.parse(fs.readFileSync(pointerFile(cacheDir), 'utf8'));
    if (pointer?.layout !== LAYOUT || typeof pointer.key !== 'string' || !/^[0-9a-f]+$/.test(pointer.key)) return null;
    const dir = bundleDir(cacheDir, pointer.key);
    return fs.existsSync(path.join(dir, 'page-worker.js')) ? dir : null;
  } catch {
    return null;
  }
}

/** The current bundle when it is fresh (its key matches the files now), else null. */
export function findBundle({ root, cacheDir = defaultCacheDir(root) }) {
  let pointer;
  try {
    pointer = JSON.parse(fs.readFileSync(pointerFile(cacheDir), 'utf8'));
  } catch {
    return null;
  }
  if (pointer?.layout !== LAYOUT || !Array.isArray(pointer.inputs) || typeof pointer.key !== 'string') return null;
  const key = bundleKey(root, pointer.inputs);
  const dir = bundleDir(cacheDir, key);
  if (key !== pointer.key || !fs.existsSync(path.join(dir, 'cli.js'))) return null;
  touchBundle(dir);
  return { dir, key, inputs: pointer.inputs };
}

/** Marks a bundle as in use now. */
export function touchBundle(dir) {
  try {
    const now = new Date();
    fs.utimesSync(dir, now, now);
  } catch {
    // Only the clean-up of unused bundles reads this; a read-only cache still serves.
  }
}

function writeAtomically(file, text) {
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

function removeUnused(cacheDir, keep) {
  const now = Date.now();
  for (const name of fs.readdirSync(cacheDir)) {
    const full = path.join(cacheDir, name);
    if (full === keep) continue;
    const unusedFor = (() => {
      try {
        return now - fs.statSync(full).mtimeMs;
      } catch {
        return 0;
      }
    })();
    // A half-written build older than an hour was left by a process that died.
    const stale = (name.startsWith('cli-') && unusedFor > UNUSED_MS) || (name.startsWith('tmp-cli-') && unusedFor > 3600 * 1000);
    if (stale) fs.rmSync(full, { recursive: true, force: true });
  }
}

/**
 * Builds the bundle and makes it the current one. Packages other than BUNDLED_PACKAGES stay
 * external (they load from node_modules, found by walking up from the cache folder); dynamic
 * imports become chunks of their own, so what the code loads late (PDF writer, barcode reader) is
 * still loaded late.
 */
export async function buildBundle({ root, cacheDir = defaultCacheDir(root) }) {
  const { build } = await import('esbuild');
  fs.mkdirSync(cacheDir, { recursive: true });
  // Read before the build: a change during it gives a key that the next start will not match.
  const shaping = new Map(SHAPING_FILES.map((name) => [name, readOrNull(path.join(root, name))]));
  const loaded = new Map();
  const recordInputs = {
    name: 'record-inputs',
    setup(builder) {
      builder.onLoad({ filter: /.*/ }, (args) => {
        const loader = LOADERS[path.extname(args.path)];
        if (!loader) throw new Error(`The CLI bundle has no loader for ${args.path}.`);
        const contents = fs.readFileSync(args.path);
        loaded.set(relativeTo(root, args.path), contents);
        return { contents, loader };
      });
    },
  };
  const externalPackages = {
    name: 'external-packages',
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === 'entry-point' || path.isAbsolute(args.path)) return undefined;
        const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
        return BUNDLED_PACKAGES.includes(name) ? undefined : { path: args.path, external: true };
      });
    },
  };
  // zod's namespace of its 40-odd message locales (`z.locales`, some 370 KB, half of zod's code in the
  // bundle) is never used here: zod sets English itself from its own import of en.js. Kept out, the
  // main thread parses that much less at every start; z.locales then holds `en` only.
  const zodEnglishOnly = {
    name: 'zod-english-only',
    setup(builder) {
      builder.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
        if (!/[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir)) return undefined;
        return { path: path.join(args.resolveDir, '..', 'locales', 'index.js'), namespace: ZOD_LOCALES_NAMESPACE };
      });
      builder.onLoad({ filter: /.*/, namespace: ZOD_LOCALES_NAMESPACE }, (args) => {
        const contents = 'export { default as en } from "./en.js";\n';
        loaded.set(`${ZOD_LOCALES_NAMESPACE}:${args.path}`, Buffer.from(contents));
        return { contents, loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
  const temp = fs.mkdtempSync(path.join(cacheDir, 'tmp-cli-'));
  try {
    const result = await build({
      entryPoints: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, file]) => [name, path.join(root, file)])),
      absWorkingDir: root,
      outdir: temp,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Their ES module builds where they have one: smaller, and tree-shaken.
      mainFields: ['module', 'main'],
      metafile: true,
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [externalPackages, zodEnglishOnly, recordInputs],
      // Bundled ESM has no require(); a few dependencies' CommonJS paths still ask for it.
      banner: { js: "import { createRequire as __stationCreateRequire } from 'node:module'; const require = __stationCreateRequire(import.meta.url);" },
    });
    for (const input of Object.keys(result.metafile.inputs)) {
      if (!loaded.has(input)) throw new Error(`The CLI bundle read ${input} without recording it.`);
    }
    // The pool starts page workers through boot.mjs beside its own module, that is, in this folder.
    const boot = shaping.get('main/workers/boot.mjs');
    if (boot === null) throw new Error('main/workers/boot.mjs is missing.');
    fs.writeFileSync(path.join(temp, 'boot.mjs'), boot);
    // Bundled packages are not hashed at every start: the lockfile (a shaping file) names their versions.
    const inputs = [...loaded.keys()].filter((name) => !name.includes('node_modules/')).sort();
    const key = keyOf(inputs, (name) => loaded.get(name) ?? shaping.get(name) ?? readOrNull(path.join(root, name)));
    const dir = bundleDir(cacheDir, key);
    try {
      fs.renameSync(temp, dir);
    } catch (error) {
      // Another start built the same key meanwhile: same bytes in, same bundle out.
      if (!fs.existsSync(path.join(dir, 'cli.js'))) throw error;
      fs.rmSync(temp, { recursive: true, force: true });
    }
    writeAtomically(pointerFile(cacheDir), `${JSON.stringify({ layout: LAYOUT, key, inputs })}\n`);
    removeUnused(cacheDir, dir);
    return { dir, key, inputs };
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

/** The fresh bundle, built first when there is none. `built` tells which. */
export async function ensureBundle(options) {
  const found = findBundle(options);
  if (found) return { ...found, built: false };
  return { ...(await buildBundle(options)), built: true };
}
