/**
 * Loads the configuration from <dataDir>/config.json, creating it with defaults on first start.
 */
import fs from 'node:fs';
import os from 'node:os';
import { ConfigError, parseConfig, type StationConfig } from './schema.js';
import { stationPaths } from './paths.js';
import { writeFileAtomic } from '../store/files.js';

export interface LoadedConfig {
  config: StationConfig;
  /** The config as given, with the inbox filled in when no hot folder was configured. */
  stationId: string;
  createdNow: boolean;
}

export function loadConfig(dataDir: string): LoadedConfig {
  const paths = stationPaths(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  let raw: unknown = {};
  let createdNow = false;
  if (fs.existsSync(paths.configFile)) {
    const text = fs.readFileSync(paths.configFile, 'utf8');
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`Invalid configuration in ${paths.configFile}: not valid JSON (${(error as Error).message}).`);
    }
  } else {
    createdNow = true;
  }
  const config = withDefaultInbox(parseConfig(raw, paths.configFile), paths.inbox);
  if (createdNow) saveConfig(dataDir, config);
  return { config, stationId: config.stationId ?? os.hostname(), createdNow };
}

/** A station without hot folders watches one inbox in its data folder: it works with no set-up. */
export function withDefaultInbox(config: StationConfig, inbox: string): StationConfig {
  if (config.hotFolders.length > 0) return config;
  return parseConfig({ ...config, hotFolders: [{ path: inbox }] }, 'defaults');
}

export function saveConfig(dataDir: string, config: StationConfig): void {
  writeFileAtomic(stationPaths(dataDir).configFile, Buffer.from(`${JSON.stringify(config, null, 2)}\n`));
}
