/**
 * The one contract between the UI and the station: every operation the UI may call, shared by the
 * Electron IPC handlers, the preload bridge, browser mode, the renderer and the tests. Each area
 * keeps its operations in its own file; this merges them.
 */
import type { InputOf, OutputOf, Result } from './define.js';
import { customerOperations } from './customers.js';
import { documentOperations } from './documents.js';
import { mailroomOperations } from './mailroom.js';
import { quarantineOperations } from './quarantine.js';
import { sendingOperations } from './sending.js';
import { settingsOperations } from './settings.js';
import { stationOperations } from './station.js';

export const operations = {
  ...stationOperations,
  ...documentOperations,
  ...customerOperations,
  ...sendingOperations,
  ...mailroomOperations,
  ...quarantineOperations,
  ...settingsOperations,
};

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export const operationNames = Object.keys(operations) as OperationName[];

/** The API as the renderer sees it: `window.station.call('getDocument', { id })`. */
export interface StationApi {
  call<N extends OperationName>(name: N, input: InputOf<Operations[N]>): Promise<Result<OutputOf<Operations[N]>>>;
  /** Subscribes to events; returns the unsubscribe function. */
  subscribe(listener: (event: import('./events.js').StationEvent) => void): () => void;
}

export type { InputOf, OutputOf, ParsedInputOf, Result, OperationSpec } from './define.js';
export type { StationEvent, StationEventType } from './events.js';
export type { SettingsView, HotFolderSettings } from './settings.js';
