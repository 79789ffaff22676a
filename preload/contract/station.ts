/** Station-wide operations: status for the status bar and the queue's counts. */
import { z } from 'zod';
import { operation } from './define.js';

export const documentStates = ['processing', 'needs_review', 'ready', 'queued', 'uploading', 'uploaded', 'purged', 'error', 'quarantined'] as const;
export type DocumentStateName = (typeof documentStates)[number];

export interface StationStatusView {
  stationId: string;
  version: string;
  documents: Record<DocumentStateName, number>;
  quarantined: number;
  /** Pages waiting for or in processing. */
  pagesPending: number;
  hotFolders: { path: string; profile: string; kind: 'front_desk' | 'mailroom'; watching: boolean }[];
}

export const stationOperations = {
  getStatus: operation<StationStatusView>()(z.strictObject({})),
};
