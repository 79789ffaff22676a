/** The queue's views: which document states each shows, and the keys of its labels. */
import type { DocumentStateName } from '../../../../preload/contract/station';

export interface QueueView {
  states: DocumentStateName[];
  navKey: string;
  /** Only documents changed since local midnight ("sent today"). */
  todayOnly?: boolean;
}

export const queueViews = {
  needs_review: { states: ['processing', 'needs_review'], navKey: 'shell.nav.needs_review' },
  ready: { states: ['ready'], navKey: 'shell.nav.ready' },
  queued: { states: ['queued'], navKey: 'shell.nav.queued' },
  uploading: { states: ['uploading'], navKey: 'shell.nav.uploading' },
  uploaded: { states: ['uploaded'], navKey: 'shell.nav.uploadedToday', todayOnly: true },
  error: { states: ['error'], navKey: 'shell.nav.error' },
} satisfies Record<string, QueueView>;

export type QueueViewId = keyof typeof queueViews;

export function isQueueView(id: string): id is QueueViewId {
  return Object.hasOwn(queueViews, id);
}
