/**
 * Parts of a CSV file too large for one call (IPC and browser mode carry at most 1 MB), kept in
 * memory until the import asks for them; forgotten after ten minutes or once taken.
 */
export class UploadError extends Error {
  override name = 'UploadError';
  constructor(
    readonly code: 'upload_out_of_order' | 'upload_too_large' | 'upload_unknown',
    message: string,
  ) {
    super(message);
  }
}

interface Upload {
  parts: Buffer[];
  bytes: number;
  touchedMs: number;
}

export class CsvUploads {
  private readonly uploads = new Map<string, Upload>();

  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly maxAgeMs = 10 * 60_000,
    private readonly nowMs: () => number = Date.now,
  ) {}

  add(id: string, index: number, part: Buffer): { parts: number; bytes: number } {
    this.expire();
    const upload = this.uploads.get(id) ?? { parts: [], bytes: 0, touchedMs: this.nowMs() };
    if (index !== upload.parts.length) {
      throw new UploadError('upload_out_of_order', `Part ${index} of upload ${id} arrived, but part ${upload.parts.length} was expected next.`);
    }
    if (upload.bytes + part.length > this.maxBytes) {
      this.uploads.delete(id);
      throw new UploadError('upload_too_large', `The file is larger than ${Math.round(this.maxBytes / 1024 / 1024)} MB.`);
    }
    upload.parts.push(part);
    upload.bytes += part.length;
    upload.touchedMs = this.nowMs();
    this.uploads.set(id, upload);
    return { parts: upload.parts.length, bytes: upload.bytes };
  }

  /** The whole file, in order; the upload is forgotten. */
  take(id: string): Buffer {
    this.expire();
    const upload = this.uploads.get(id);
    if (!upload) throw new UploadError('upload_unknown', `There is no upload ${id} (it may have expired after ten minutes).`);
    this.uploads.delete(id);
    return Buffer.concat(upload.parts);
  }

  private expire(): void {
    const now = this.nowMs();
    for (const [id, upload] of this.uploads) if (now - upload.touchedMs > this.maxAgeMs) this.uploads.delete(id);
  }
}
