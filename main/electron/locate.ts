/**
 * Where the Electron executable is, found without loading the 'electron' package: its index.js
 * tries to download the binary when it is missing, which must never happen from `npm start`.
 * Pure Node; importing this file does not import Electron.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export function electronPackageDir(): string | null {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The executable named by the package's path.txt (written by its install script), if it exists. */
export function electronBinaryPath(env: NodeJS.ProcessEnv = process.env, packageDir: string | null = electronPackageDir()): string | null {
  if (!packageDir) return null;
  let relative = '';
  try {
    relative = fs.readFileSync(path.join(packageDir, 'path.txt'), 'utf8').trim();
  } catch {
    return null;
  }
  if (!relative) return null;
  const full = env.ELECTRON_OVERRIDE_DIST_PATH ? path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative) : path.join(packageDir, 'dist', relative);
  try {
    return fs.statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}
