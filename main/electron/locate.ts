/**
 * Where the Electron executable is, found without loading the 'electron' package: its index.js
 * tries to download the binary when it is missing, which must never happen from `npm start`.
 * Pure Node; importing this file does not import Electron.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export function electronBinaryPath(env: NodeJS.ProcessEnv = process.env, resolveFrom: string = import.meta.url): string | null {
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(resolveFrom).resolve('electron/package.json'));
  } catch {
    return null;
  }
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
