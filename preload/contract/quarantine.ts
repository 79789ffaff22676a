/** Quarantine: bad input kept byte for byte, with its reason; retry or discard. */
import { z } from 'zod';
import { operation } from './define.js';

export const sourceId = z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/, 'a source file id');

export interface QuarantineItemView {
  sourceId: string;
  originalName: string;
  /** Stable reason code (BadInputCode, 'processing_failed', ...): the UI words it by this. */
  code: string;
  /** The station's own English explanation (log, fallback for codes the UI does not know). */
  reason: string;
  /** When the file went into quarantine. */
  at: string;
  ingestedAt: string;
  size: number | null;
  /** False when nothing was kept (the file vanished before it was read): no download, no retry. */
  hasOriginal: boolean;
}

export interface QuarantineOriginalView {
  name: string;
  size: number;
  /** The kept bytes, base64 (files up to maxOriginalBytes; larger ones are refused with 'original_too_large'). */
  base64: string;
}

/** Largest original the UI can fetch through the API (base64 in JSON). */
export const maxOriginalBytes = 64 * 2 ** 20;

export const quarantineOperations = {
  listQuarantine: operation<{ items: QuarantineItemView[]; total: number }>()(
    z.strictObject({
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(500),
    }),
  ),
  getQuarantineOriginal: operation<QuarantineOriginalView>()(z.strictObject({ sourceId })),
  /** Takes the kept original in again as a new file: processed anew; back to quarantine if it fails again. */
  retryQuarantined: operation<{ sourceId: string; newSourceId: string }>()(z.strictObject({ sourceId })),
  /** Deletes the kept original for good (the row and the audit trail stay). `confirm` must be true. */
  discardQuarantined: operation<{ sourceId: string }>()(z.strictObject({ sourceId, confirm: z.literal(true) })),
};
