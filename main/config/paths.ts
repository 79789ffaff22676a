/**
 * Where the station keeps its data. The default follows each OS's user-data convention (the same
 * folder Electron's app.getPath('userData') gives), so the desktop app and the CLI share one store.
 */
import os from 'node:os';
import path from 'node:path';

export const APP_FOLDER_NAME = 'Intake Station';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_FOLDER_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_FOLDER_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_FOLDER_NAME);
}

/** `--data-dir` wins over STATION_DATA_DIR, which wins over the OS default. */
export function resolveDataDir(cliValue: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = cliValue ?? env.STATION_DATA_DIR;
  return path.resolve(chosen && chosen.trim() ? chosen : defaultDataDir(env));
}

export interface StationPaths {
  dataDir: string;
  database: string;
  configFile: string;
  originals: string;
  pages: string;
  documents: string;
  quarantine: string;
  outbox: string;
  inbox: string;
  tmp: string;
}

export function stationPaths(dataDir: string): StationPaths {
  return {
    dataDir,
    database: path.join(dataDir, 'station.db'),
    configFile: path.join(dataDir, 'config.json'),
    originals: path.join(dataDir, 'originals'),
    pages: path.join(dataDir, 'pages'),
    documents: path.join(dataDir, 'documents'),
    quarantine: path.join(dataDir, 'quarantine'),
    outbox: path.join(dataDir, 'outbox'),
    inbox: path.join(dataDir, 'inbox'),
    tmp: path.join(dataDir, 'tmp'),
  };
}
