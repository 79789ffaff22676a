/**
 * What every upload target offers: send one document (idempotently, keyed by the document id) and
 * tell whether it can be reached at all. The sender decides about retries; a target only says what
 * happened, as a SendError with a stable code.
 */

/** The metadata that travels with every document (JSON part, sidecar or index file). No file names. */
export interface DocumentMetadata {
  documentId: string;
  idempotencyKey: string;
  title: string;
  customer: { id: string } | null;
  documentType: string | null;
  pages: number;
  sha256: string;
  bytes: number;
  station: string;
  staffUser: string | null;
  scannedAt: string;
  queuedAt: string | null;
  profile: string;
  processing: {
    sources: { id: string; sha256: string | null; format: string | null; pages: number | null }[];
    pages: {
      position: number;
      source: string;
      sourceIndex: number;
      width: number;
      height: number;
      dpi: number;
      colourMode: string;
      skewDegrees: number | null;
      rotatedDegrees: number;
      turnQuarters: number;
      blank: boolean;
    }[];
  };
}

export interface SendRequest {
  metadata: DocumentMetadata;
  /** The local PDF (absolute path). */
  pdfPath: string;
  idempotencyKey: string;
  signal: AbortSignal;
}

/** What the target confirmed: its id for the document and the checksum of what it holds. */
export interface Receipt {
  remoteId: string;
  sha256: string;
  /** 201 for a first store, 200 for a repeat the target recognised; null where it cannot tell. */
  httpStatus: number | null;
  detail?: Record<string, unknown>;
}

export interface UploadTarget {
  readonly name: string;
  readonly kind: 'rest' | 'webdav' | 'folder';
  send(request: SendRequest): Promise<Receipt>;
  /** Resolves when the target answers at all (any HTTP status counts); rejects with a network SendError. */
  probe(signal: AbortSignal): Promise<void>;
  close?(): void;
}

/**
 * - network: the target could not be reached or the connection broke (offline candidate, not counted
 *   while the target stays unreachable);
 * - retry: the target answered but failed for now (5xx, 429, 408, timeout after a probe succeeded);
 * - permanent: retrying will not help (rejected metadata, bad credentials, checksum conflict).
 */
export type SendErrorKind = 'network' | 'retry' | 'permanent';

export class SendError extends Error {
  override name = 'SendError';
  constructor(
    readonly code: string,
    readonly kind: SendErrorKind,
    message: string,
    readonly extra: { httpStatus?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
}
