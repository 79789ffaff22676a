/**
 * `npm start`: the desktop app when the Electron binary is installed; otherwise browser mode (the
 * same UI and core on 127.0.0.1 with a per-launch token). The headless station without any UI is
 * `npm run station -- watch`.
 *   npm start -- [--port <n>] [--data-dir <dir>] [--no-open] [--browser] [--demo]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveDataDir } from './config/paths.js';
import { exitWith } from './cli/exit.js';
import { electronBinaryPath } from './electron/locate.js';
import { runBrowserMode } from './web/run.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function parsePort(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new RangeError(`--port must be a number from 0 to 65535 (0 = any free port), not ${JSON.stringify(value)}.`);
  }
  return Number(value);
}

function launchElectron(binary: string, args: string[]): Promise<number> {
  if (!fs.existsSync(path.join(projectRoot, 'dist/main/index.js'))) {
    console.error('The desktop app is not built yet: run `npm run build`, then `npm start` again (or `npm start -- --browser`).');
    return Promise.resolve(1);
  }
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [projectRoot, ...args], { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      'no-open': { type: 'boolean', default: false },
      browser: { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: false,
  });
  let port: number;
  try {
    port = parsePort(values.port);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  const dataDir = resolveDataDir(typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined);
  const binary = values.browser ? null : electronBinaryPath();
  if (binary) return launchElectron(binary, argv);
  return runBrowserMode({ dataDir, port, open: !values['no-open'], demo: values.demo === true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) exitWith(main(process.argv.slice(2)));
