export interface CacheOptions {
  /** The project folder (package.json, main/). */
  root: string;
  /** Default: node_modules/.cache/intake-station under root. */
  cacheDir?: string;
}
export interface Bundle {
  /** Holds cli.js, page-worker.js, their chunks and boot.mjs. */
  dir: string;
  key: string;
  /** The source files the bundle was built from, relative to root. */
  inputs: string[];
}
export const SHAPING_FILES: string[];
export function defaultCacheDir(root: string): string;
export function bundleKey(root: string, inputs: string[]): string;
export function touchBundle(dir: string): void;
export function findBundle(options: CacheOptions): Bundle | null;
export function buildBundle(options: CacheOptions): Promise<Bundle>;
export function ensureBundle(options: CacheOptions): Promise<Bundle & { built: boolean }>;
