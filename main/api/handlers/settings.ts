/**
 * Editing the hot folders, their profiles and the default sending target. A save is checked against
 * the configuration schema as a whole and then written atomically to <dataDir>/config.json; a refused
 * save leaves the file untouched. A save is in force at once (Station.applySettings); only changes
 * made to config.json by hand while the station runs wait for a restart, and the answer says so.
 * Folder paths must be absolute; a folder that does not exist yet is created (the scanner needs it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { settingsOperations, type SettingsView } from '../../../preload/contract/settings.js';
import type { HandlerTable } from '../handler-types.js';
import { ApiError } from '../errors.js';
import { withDefaultInbox } from '../../config/load.js';
import { stationConfigSchema, describeConfigIssues, type StationConfig } from '../../config/schema.js';
import { writeFileAtomic } from '../../store/files.js';
import { BUILT_IN_TARGET } from '../../upload/targets/index.js';
import type { Station } from '../../station.js';

type Raw = Record<string, unknown>;
const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The file as the administrator wrote it (unknown keys and omitted defaults kept as they are). */
function readRawConfig(station: Station): Raw {
  const file = station.paths.configFile;
  if (!fs.existsSync(file)) return JSON.parse(JSON.stringify(station.config)) as Raw;
  try {
    const raw: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (isRecord(raw)) return raw;
  } catch {
    // fall through: the station started, so its file was valid then; someone broke it since.
  }
  throw new ApiError('config_unreadable', `${file} cannot be read as a configuration; it was not changed.`);
}

function parseOrRefuse(raw: Raw): StationConfig {
  const result = stationConfigSchema.safeParse(raw);
  if (!result.success) throw new ApiError('invalid_settings', describeConfigIssues(result.error, 'the settings'));
  return result.data;
}

const refuse = (field: string, message: string) => new ApiError('invalid_settings', `Invalid configuration in the settings:\n  ${field}: ${message}`);

function viewOf(station: Station, saved: StationConfig): SettingsView {
  const running = station.config;
  const effective = withDefaultInbox(saved, station.paths.inbox);
  const targets = [{ name: BUILT_IN_TARGET, kind: 'folder' as const }, ...effective.sending.targets.filter((t) => t.name !== BUILT_IN_TARGET).map((t) => ({ name: t.name, kind: t.kind }))];
  return {
    hotFolders: effective.hotFolders.map((folder) => ({
      path: folder.path,
      enabled: folder.enabled,
      profile: {
        name: folder.profile.name,
        kind: folder.profile.kind,
        colourMode: folder.profile.colourMode,
        quietWindowMs: folder.profile.grouping.quietWindowMs,
        defaultDocumentType: folder.profile.defaultDocumentType,
        afterIngest: folder.profile.afterIngest,
        dropBlankPages: folder.profile.dropBlankPages,
      },
    })),
    defaultTarget: effective.sending.defaultTarget,
    targets,
    documentTypes: effective.documentTypes,
    restartRequired:
      JSON.stringify(effective.hotFolders) !== JSON.stringify(running.hotFolders) || effective.sending.defaultTarget !== running.sending.defaultTarget,
  };
}

export const settingsHandlers: HandlerTable<typeof settingsOperations> = {
  getSettings: ({ station }) => viewOf(station, parseOrRefuse(readRawConfig(station))),

  saveSettings: async ({ station, actor }, input) => {
    const raw = readRawConfig(station);
    const before = parseOrRefuse(raw);
    const oldFolders = (Array.isArray(raw['hotFolders']) ? raw['hotFolders'] : []).filter(isRecord);
    const seen = new Set<string>();
    const hotFolders = input.hotFolders.map((folder, index) => {
      const field = `hotFolders.${index}.path`;
      if (!path.isAbsolute(folder.path)) throw refuse(field, `"${folder.path}" is not an absolute path (for example C:\\Scans\\Empfang or /srv/scans/empfang)`);
      const key = path.resolve(folder.path);
      if (seen.has(key)) throw refuse(field, `"${folder.path}" is listed twice`);
      seen.add(key);
      // Fields this form does not edit (polling, separation, auto-send, own target) are kept from the same folder.
      const old = oldFolders.find((f) => typeof f['path'] === 'string' && path.resolve(f['path']) === key) ?? {};
      const oldProfile = isRecord(old['profile']) ? old['profile'] : {};
      const oldGrouping = isRecord(oldProfile['grouping']) ? oldProfile['grouping'] : {};
      const { quietWindowMs, ...profile } = folder.profile;
      return { ...old, path: folder.path, enabled: folder.enabled, profile: { ...oldProfile, ...profile, grouping: { ...oldGrouping, quietWindowMs } } };
    });
    const oldSending = isRecord(raw['sending']) ? raw['sending'] : {};
    const candidate: Raw = { ...raw, hotFolders, sending: { ...oldSending, defaultTarget: input.defaultTarget } };
    const after = parseOrRefuse(candidate);

    const targetNames = new Set([BUILT_IN_TARGET, ...after.sending.targets.map((t) => t.name)]);
    if (!targetNames.has(after.sending.defaultTarget)) throw refuse('sending.defaultTarget', `"${after.sending.defaultTarget}" is not a configured target (${[...targetNames].join(', ')})`);
    after.hotFolders.forEach((folder, index) => {
      if (!after.documentTypes.includes(folder.profile.defaultDocumentType)) {
        throw refuse(`hotFolders.${index}.profile.defaultDocumentType`, `"${folder.profile.defaultDocumentType}" is not one of the document types`);
      }
    });
    after.hotFolders.forEach((folder, index) => {
      try {
        fs.mkdirSync(folder.path, { recursive: true });
        if (!fs.statSync(folder.path).isDirectory()) throw new Error('it is a file, not a folder');
      } catch (error) {
        throw refuse(`hotFolders.${index}.path`, `the folder "${folder.path}" does not exist and cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
    });

    writeFileAtomic(station.paths.configFile, Buffer.from(`${JSON.stringify(candidate, null, 2)}\n`));
    // In force at once: new folders are watched, removed ones let go, the default target changes.
    await station.applySettings(withDefaultInbox(after, station.paths.inbox));
    station.store.audit.record({
      actor,
      action: 'settings_saved',
      subjectType: 'station',
      subjectId: station.stationId,
      detail: {
        hotFoldersBefore: before.hotFolders.map((f) => f.path),
        hotFoldersAfter: after.hotFolders.map((f) => f.path),
        defaultTargetBefore: before.sending.defaultTarget,
        defaultTargetAfter: after.sending.defaultTarget,
      },
    });
    return viewOf(station, after);
  },
};
