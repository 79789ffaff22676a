/** Sending: the upload queue, retries, pause and resume, connectivity, attempt history. */
import { z } from 'zod';
import { operation } from './define.js';
import { documentId } from './documents.js';

export interface SendingStatusView {
  /** False while any sending target cannot be reached (the station waits quietly and probes). */
  online: boolean;
  paused: boolean;
  /** Sends under way right now (one or two). */
  active: number;
  /** Documents queued for sending, not yet under way. */
  waiting: number;
  /** Documents whose sending failed for good: "needs attention". */
  needsAttention: number;
  offlineTargets: { name: string; since: string; code: string; message: string; nextProbeAt: string }[];
  /** When the next scheduled retry is due (ISO), if any. */
  nextAttemptAt: string | null;
}

export interface DeliveryAttemptView {
  id: number;
  target: string;
  startedAt: string;
  finishedAt: string | null;
  /** running, delivered, retry (will try again), offline (not counted), failed (needs attention), interrupted (station stopped). */
  outcome: 'running' | 'delivered' | 'retry' | 'offline' | 'failed' | 'interrupted';
  /** Whether this attempt counted against the attempt limit. */
  counted: boolean;
  httpStatus: number | null;
  /** Stable code for the UI's text (e.g. connection_refused, http_503, unauthorized, checksum_mismatch). */
  code: string | null;
  message: string | null;
  remoteId: string | null;
}

export interface DeliveriesView {
  documentId: string;
  attempts: DeliveryAttemptView[];
  /** The confirmed delivery, once there is one. */
  delivered: { target: string; remoteId: string; sha256: string; at: string; purgedAt: string | null } | null;
}

export const sendingOperations = {
  getSendingStatus: operation<SendingStatusView>()(z.strictObject({})),
  /** A document that needs attention goes back to the queue; a waiting one is tried now. */
  retrySend: operation<SendingStatusView>()(z.strictObject({ id: documentId })),
  pauseSending: operation<SendingStatusView>()(z.strictObject({})),
  resumeSending: operation<SendingStatusView>()(z.strictObject({})),
  listDeliveries: operation<DeliveriesView>()(z.strictObject({ documentId })),
};
