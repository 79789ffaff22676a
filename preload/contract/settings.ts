/**
 * Station settings staff may edit: the hot folders with their profiles and the default sending
 * target. Value ranges are not repeated here: the station checks a save against its configuration
 * schema (main/config/schema.ts), so a refusal names the config field and there is one source of truth.
 */
import { z } from 'zod';
import { operation } from './define.js';

export const settingsProfileKinds = ['front_desk', 'mailroom'] as const;
export const settingsColourModes = ['auto', 'colour', 'grey', 'bw'] as const;

export interface HotFolderSettings {
  path: string;
  enabled: boolean;
  profile: {
    name: string;
    kind: (typeof settingsProfileKinds)[number];
    colourMode: (typeof settingsColourModes)[number];
    quietWindowMs: number;
    defaultDocumentType: string;
    afterIngest: 'delete' | 'keep';
    dropBlankPages: boolean;
  };
}

export interface SettingsView {
  hotFolders: HotFolderSettings[];
  defaultTarget: string;
  /** Targets one can choose as the default (the built-in "outbox" plus the configured ones). */
  targets: { name: string; kind: 'rest' | 'webdav' | 'folder' }[];
  documentTypes: string[];
  /** The saved settings differ from what the running station uses: they take effect after a restart. */
  restartRequired: boolean;
}

const hotFolderInput = z.strictObject({
  path: z.string(),
  enabled: z.boolean(),
  profile: z.strictObject({
    name: z.string(),
    kind: z.enum(settingsProfileKinds),
    colourMode: z.enum(settingsColourModes),
    quietWindowMs: z.number(),
    defaultDocumentType: z.string(),
    afterIngest: z.enum(['delete', 'keep']),
    dropBlankPages: z.boolean(),
  }),
});

export const settingsOperations = {
  getSettings: operation<SettingsView>()(z.strictObject({})),
  /** Saves all hot folders (in this order) and the default target; a refused save changes nothing. */
  saveSettings: operation<SettingsView>()(z.strictObject({ hotFolders: z.array(hotFolderInput).max(50), defaultTarget: z.string() })),
};
