/**
 * Settings through dispatch on a real station whose configuration lives in a real config.json: a
 * valid save is written, survives a reload and is audited; a bad value is refused naming its field,
 * and the file stays byte for byte as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../main/api/dispatch.js';
import { loadConfig } from '../main/config/load.js';
import { createStation, type Station } from '../main/station.js';
import type { SettingsView } from '../preload/contract/settings.js';
import { useTempDir } from './support/temp-dir.js';

const temp = useTempDir('settings-');
let station: Station;
let dataDir = '';
let configFile = '';

async function call<T>(name: string, input: unknown): Promise<{ ok: true; value: T } | { ok: false; code: string; message: string }> {
  return (await dispatch({ station, actor: 'test-user' }, name, input)) as never;
}

beforeAll(async () => {
  dataDir = path.join(temp.path(), 'data');
  configFile = path.join(dataDir, 'config.json');
  fs.mkdirSync(dataDir, { recursive: true });
  const scans = path.join(temp.path(), 'scans-desk');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      stationId: 'settings-test',
      hotFolders: [{ path: scans, polling: false, profile: { name: 'Empfang', separation: { mode: 'none', duplex: true } } }],
      sending: { targets: [{ kind: 'folder', name: 'dms', path: path.join(temp.path(), 'dms') }] },
    }),
  );
  station = createStation({ dataDir, watch: false });
  await station.start();
});

afterAll(async () => {
  await station?.stop();
});

describe('settings', () => {
  it('shows the hot folders, profiles and the choosable targets from config.json', async () => {
    const result = await call<SettingsView>('getSettings', {});
    if (!result.ok) throw new Error(result.message);
    expect(result.value.hotFolders).toHaveLength(1);
    expect(result.value.hotFolders[0]!.profile.name).toBe('Empfang');
    expect(result.value.targets.map((t) => t.name)).toEqual(['outbox', 'dms']);
    expect(result.value.defaultTarget).toBe('outbox');
    expect(result.value.restartRequired).toBe(false);
  });

  it('saves a valid change atomically, keeps fields the form does not edit, creates the new folder and audits', async () => {
    const current = await call<SettingsView>('getSettings', {});
    if (!current.ok) throw new Error(current.message);
    const mailroomPath = path.join(temp.path(), 'not-yet', 'mailroom');
    const hotFolders = [
      { ...current.value.hotFolders[0]!, profile: { ...current.value.hotFolders[0]!.profile, quietWindowMs: 9_000, afterIngest: 'keep' as const, dropBlankPages: true } },
      { path: mailroomPath, enabled: false, profile: { name: 'Post', kind: 'mailroom' as const, colourMode: 'bw' as const, quietWindowMs: 2_000, defaultDocumentType: 'Antrag', afterIngest: 'delete' as const, dropBlankPages: false } },
    ];
    const saved = await call<SettingsView>('saveSettings', { hotFolders, defaultTarget: 'dms' });
    if (!saved.ok) throw new Error(saved.message);
    expect(saved.value.restartRequired).toBe(false);
    expect(fs.statSync(mailroomPath).isDirectory()).toBe(true);
    expect(fs.readdirSync(dataDir).filter((name) => name.includes('.part-'))).toEqual([]);

    const reloaded = loadConfig(dataDir).config;
    expect(reloaded.sending.defaultTarget).toBe('dms');
    expect(reloaded.stationId).toBe('settings-test');
    expect(reloaded.hotFolders.map((f) => f.profile.name)).toEqual(['Empfang', 'Post']);
    expect(reloaded.hotFolders[0]!.profile.grouping.quietWindowMs).toBe(9_000);
    expect(reloaded.hotFolders[0]!.profile.afterIngest).toBe('keep');
    expect(reloaded.hotFolders[0]!.profile.separation.duplex).toBe(true);
    expect(reloaded.hotFolders[0]!.polling).toBe(false);
    expect(reloaded.hotFolders[1]).toMatchObject({ path: mailroomPath, enabled: false, profile: { kind: 'mailroom', colourMode: 'bw' } });

    const again = await call<SettingsView>('getSettings', {});
    if (!again.ok) throw new Error(again.message);
    expect(again.value.hotFolders).toEqual(saved.value.hotFolders);
    const audit = station.store.audit.forSubject('station', 'settings-test').filter((row) => row.action === 'settings_saved');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe('test-user');
  });

  const bad: [string, (view: SettingsView) => unknown, string][] = [
    ['a quiet window out of range', (v) => ({ hotFolders: [{ ...v.hotFolders[0]!, profile: { ...v.hotFolders[0]!.profile, quietWindowMs: 10_000_000 } }], defaultTarget: v.defaultTarget }), 'hotFolders.0.profile.grouping.quietWindowMs'],
    ['an empty profile name', (v) => ({ hotFolders: [{ ...v.hotFolders[0]!, profile: { ...v.hotFolders[0]!.profile, name: '' } }], defaultTarget: v.defaultTarget }), 'hotFolders.0.profile.name'],
    ['a relative path', (v) => ({ hotFolders: [v.hotFolders[0]!, { ...v.hotFolders[1]!, path: 'scans/relative' }], defaultTarget: v.defaultTarget }), 'hotFolders.1.path'],
    ['an unknown target', (v) => ({ hotFolders: v.hotFolders, defaultTarget: 'nowhere' }), 'sending.defaultTarget'],
    ['an unknown document type', (v) => ({ hotFolders: [{ ...v.hotFolders[0]!, profile: { ...v.hotFolders[0]!.profile, defaultDocumentType: 'Gibtsnicht' } }], defaultTarget: v.defaultTarget }), 'hotFolders.0.profile.defaultDocumentType'],
  ];
  for (const [what, make, field] of bad) {
    it(`refuses ${what}, naming ${field}, and leaves config.json byte for byte`, async () => {
      const view = await call<SettingsView>('getSettings', {});
      if (!view.ok) throw new Error(view.message);
      const before = fs.readFileSync(configFile);
      const result = await call('saveSettings', make(view.value));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.code).toBe('invalid_settings');
      expect(result.message).toContain(field);
      expect(fs.readFileSync(configFile).equals(before)).toBe(true);
    });
  }

  it('refuses a hot folder path that is a file', async () => {
    const view = await call<SettingsView>('getSettings', {});
    if (!view.ok) throw new Error(view.message);
    const file = path.join(temp.path(), 'a-file');
    fs.writeFileSync(file, 'x');
    const before = fs.readFileSync(configFile);
    const result = await call('saveSettings', { hotFolders: [{ ...view.value.hotFolders[0]!, path: file }], defaultTarget: view.value.defaultTarget });
    expect(result).toMatchObject({ ok: false, code: 'invalid_settings' });
    expect(fs.readFileSync(configFile).equals(before)).toBe(true);
  });
});
