/**
 * main/ as committed at a git revision, for the A/B scripts: extracted into a temp dir beside a
 * link to the working tree's node_modules, so the old side loads exactly as the working tree does
 * (its modules at `<dir>/main/...`). The caller removes the dir when done.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function snapshotMain(revision: string, label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${label}-old-`));
  const archive = execFileSync('git', ['archive', revision, 'main', 'package.json'], { cwd: REPO_ROOT, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}
