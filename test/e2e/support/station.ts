/**
 * The station in browser mode as a child process (`main/start.ts --browser --no-open`) on a temp
 * data folder with its own hot folder, as staff would run it: the test reads the tokened address
 * from its output and drives it with a real browser.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot, writeStationConfig } from '../../support/station-process.js';

export interface BrowserStation {
  /** The tokened address (http://127.0.0.1:<port>/?token=…). */
  url: string;
  origin: string;
  root: string;
  dataDir: string;
  hotFolder: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export interface BrowserStationOptions {
  /** Extra profile settings for the one hot folder. */
  profile?: Record<string, unknown>;
  /** Extra top-level configuration. */
  config?: Record<string, unknown>;
  /** Runs on the data folder before the station starts (e.g. seeding the database). */
  seed?: (dataDir: string) => void | Promise<void>;
  timeoutMs?: number;
}

const rendererIndex = path.join(projectRoot, 'dist', 'renderer', 'index.html');

/** `npm test` builds the renderer first; a lone e2e run builds it when missing (or E2E_REBUILD=1). */
export function ensureRendererBuilt(): void {
  if (fs.existsSync(rendererIndex) && process.env.E2E_REBUILD !== '1') return;
  const result = spawnSync(process.execPath, [path.join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`Building the renderer failed:\n${result.stdout}\n${result.stderr}`);
}

export async function startBrowserStation(options: BrowserStationOptions = {}): Promise<BrowserStation> {
  ensureRendererBuilt();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-e2e-'));
  const dataDir = path.join(root, 'data');
  const hotFolder = path.join(root, 'scanner');
  fs.mkdirSync(hotFolder, { recursive: true });
  writeStationConfig(dataDir, {
    stationId: 'e2e-station',
    hotFolders: [{ path: hotFolder, profile: { name: 'Empfang', grouping: { rule: 'batch', quietWindowMs: 3000 }, ...options.profile } }],
    watcher: { stableWindowMs: 300, pollIntervalMs: 100, reconcileIntervalMs: 1000 },
    imaging: { workers: 1 },
    ...options.config,
  });
  await options.seed?.(dataDir);

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'main/start.ts'), '--browser', '--no-open', '--port', '0', '--data-dir', dataDir], {
    cwd: projectRoot,
    env: { ...process.env, BROWSER: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`The station printed no address within ${options.timeoutMs ?? 30_000} ms:\n${text}`)), options.timeoutMs ?? 30_000);
    const look = () => {
      const match = /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)\s*$/m.exec(text);
      if (match) {
        clearTimeout(deadline);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    void exited.then((code) => {
      clearTimeout(deadline);
      reject(new Error(`The station exited (${code}) before printing its address:\n${text}`));
    });
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
  return { url, origin: new URL(url).origin, root, dataDir, hotFolder, child, output: () => text, stop };
}

/** Writes a file into the hot folder the way scanners should: under a temp name, then renamed. */
export function dropIntoHotFolder(station: BrowserStation, name: string, data: Buffer): string {
  const target = path.join(station.hotFolder, name);
  const temp = path.join(station.root, `.${name}.part`);
  fs.writeFileSync(temp, data);
  fs.renameSync(temp, target);
  return target;
}
