/**
 * Where the reference receiver keeps documents: one folder per idempotency key holding the PDF and
 * receipt.json (the receipt with the metadata). The receipt is written last (temporary name, fsync,
 * rename), so a key with a receipt is complete; a repeat of the key gets that receipt back. Requests for the same key
 * are serialised, so concurrent repeats still store exactly once.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface ReceiverReceipt {
  id: string;
  sha256: string;
  idempotencyKey: string;
  documentId: string;
  bytes: number;
  receivedAt: string;
}

export type StoreOutcome = { kind: 'created'; receipt: ReceiverReceipt } | { kind: 'repeat'; receipt: ReceiverReceipt } | { kind: 'conflict'; receipt: ReceiverReceipt };

function writeDurably(file: string, data: Buffer | string, sync: boolean): void {
  const temp = `${file}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeFileSync(fd, data);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}

export class ReceiverStore {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly byId = new Map<string, string>();
  /** How often each key was stored (for tests and the log: must never exceed 1). */
  readonly created = new Map<string, number>();
  readonly repeats = new Map<string, number>();

  /** `fsync: false` only for benchmarks that measure the sender, not the disk. */
  constructor(
    readonly dir: string,
    private readonly fsync = true,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    for (const key of fs.readdirSync(dir)) {
      const receipt = this.receiptFor(key);
      if (receipt) this.byId.set(receipt.id, key);
    }
  }

  private folder(key: string): string {
    return path.join(this.dir, key);
  }

  private read(key: string): { receipt: ReceiverReceipt; metadata: unknown } | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.folder(key), 'receipt.json'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  receiptFor(key: string): ReceiverReceipt | undefined {
    return this.read(key)?.receipt;
  }

  keyForId(id: string): string | undefined {
    return this.byId.get(id);
  }

  metadataFor(key: string): unknown {
    return this.read(key)?.metadata;
  }

  pdfPath(key: string): string {
    return path.join(this.folder(key), 'document.pdf');
  }

  /** Keys with a complete document. */
  keys(): string[] {
    return fs.readdirSync(this.dir).filter((key) => this.receiptFor(key) !== undefined);
  }

  /** Stores a document once per key; a repeat returns the first receipt (or a conflict if the content differs). */
  async store(key: string, pdf: Buffer, metadata: { documentId: string }, sha256: string): Promise<StoreOutcome> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.storeNow(key, pdf, metadata, sha256));
    this.locks.set(key, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === run) this.locks.delete(key);
    }
  }

  private storeNow(key: string, pdf: Buffer, metadata: { documentId: string }, sha256: string): StoreOutcome {
    const existing = this.receiptFor(key);
    if (existing) {
      if (existing.sha256 !== sha256) return { kind: 'conflict', receipt: existing };
      this.repeats.set(key, (this.repeats.get(key) ?? 0) + 1);
      return { kind: 'repeat', receipt: existing };
    }
    const folder = this.folder(key);
    fs.mkdirSync(folder, { recursive: true });
    writeDurably(path.join(folder, 'document.pdf'), pdf, this.fsync);
    const receipt: ReceiverReceipt = { id: crypto.randomUUID(), sha256, idempotencyKey: key, documentId: metadata.documentId, bytes: pdf.length, receivedAt: new Date().toISOString() };
    writeDurably(path.join(folder, 'receipt.json'), JSON.stringify({ receipt, metadata }, null, 2), this.fsync);
    this.byId.set(receipt.id, key);
    this.created.set(key, (this.created.get(key) ?? 0) + 1);
    return { kind: 'created', receipt };
  }
}
