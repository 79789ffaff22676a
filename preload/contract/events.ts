/**
 * Events main pushes to the UI (IPC in Electron, Server-Sent Events in browser mode). They say what
 * changed, not the data: the UI asks again with an operation, so there is one way to read state.
 */
import type { DocumentStateName } from './station.js';

export type StationEvent =
  | { type: 'documents-changed'; ids: string[]; states?: DocumentStateName[] }
  | { type: 'quarantine-changed' }
  | { type: 'progress'; batchId: string | null; pagesDone: number; pagesTotal: number; etaSeconds: number | null }
  | { type: 'sending'; online: boolean; paused: boolean; active: number; waiting: number }
  | { type: 'customers-changed' }
  /** Hot folders, profiles or the default target were changed and are in force now. */
  | { type: 'settings-changed' };

export type StationEventType = StationEvent['type'];
