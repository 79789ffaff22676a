import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../main/config/load.js';
import { defaultDataDir, resolveDataDir } from '../main/config/paths.js';
import { ConfigError, parseConfig } from '../main/config/schema.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'intake-config-'));

describe('configuration', () => {
  it('first start writes defaults with one inbox in the data folder', () => {
    const dir = tempDir();
    const { config, createdNow } = loadConfig(dir);
    expect(createdNow).toBe(true);
    expect(config.hotFolders).toHaveLength(1);
    expect(config.hotFolders[0].path).toBe(path.join(dir, 'inbox'));
    expect(config.hotFolders[0].profile).toMatchObject({ kind: 'front_desk', colourMode: 'auto', afterIngest: 'delete', grouping: { rule: 'batch', quietWindowMs: 4000 } });
    const written = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(written.hotFolders[0].path).toBe(path.join(dir, 'inbox'));
    expect(loadConfig(dir).createdNow).toBe(false);
  });

  it('names the field and what was expected for a bad value', () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ hotFolders: [{ path: '/scans', profile: { colourMode: 'sepia', grouping: { quietWindowMs: -5 } } }] }),
    );
    let message = '';
    try {
      loadConfig(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('hotFolders.0.profile.colourMode');
    expect(message).toMatch(/auto.*colour.*grey.*bw/);
    expect(message).toContain('hotFolders.0.profile.grouping.quietWindowMs');
    expect(message).toContain(path.join(dir, 'config.json'));
  });

  it('reports unknown keys and broken JSON plainly', () => {
    expect(() => parseConfig({ hotFolder: [] }, 'x.json')).toThrow(/hotFolder/);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'config.json'), '{ "hotFolders": [ ');
    expect(() => loadConfig(dir)).toThrow(/not valid JSON/);
  });

  it('resolves the data folder: --data-dir, then STATION_DATA_DIR, then the OS default', () => {
    expect(resolveDataDir('/a/b', { STATION_DATA_DIR: '/c' })).toBe(path.resolve('/a/b'));
    expect(resolveDataDir(undefined, { STATION_DATA_DIR: '/c' })).toBe(path.resolve('/c'));
    expect(resolveDataDir(undefined, { XDG_CONFIG_HOME: '/xdg' })).toBe(path.resolve(defaultDataDir({ XDG_CONFIG_HOME: '/xdg' })));
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe('/xdg/Intake Station');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\x\\AppData\\Roaming' }, 'win32')).toContain('Intake Station');
  });
});
