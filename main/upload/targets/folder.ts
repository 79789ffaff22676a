/**
 * Folder export for a DMS import folder (often an SMB share): <id>.pdf, then the index files
 * <id>.xml (and <id>.csv if configured) and <id>.json. Each file is written under a hidden temporary
 * name, flushed to disk and renamed, the index files only after the PDF is complete, so an importer
 * that waits for the index never reads half a file. Fixed names make a repeat overwrite, not duplicate;
 * and a repeat after a complete export whose receipt the station lost (a crash right after the last
 * rename) finds the files in place and confirms them without touching them, so an importer that
 * watches modification times does not take the document a second time.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SendError, type DocumentMetadata, type Receipt, type SendRequest, type UploadTarget } from './types.js';

const offlineCodes = new Set(['ENOENT', 'ENOTCONN', 'EHOSTDOWN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EIO', 'EBUSY', 'ESTALE']);

function classifyFsError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (offlineCodes.has(code)) return new SendError('folder_unreachable', 'network', `The export folder cannot be reached (${code}); is the share connected?`);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new SendError('folder_full', 'retry', 'The export folder is full.');
  if (code === 'EACCES' || code === 'EPERM') return new SendError('folder_denied', 'retry', 'The station may not write into the export folder.');
  return new SendError('folder_error', 'retry', `Writing into the export folder failed (${code || 'unknown error'}).`);
}

function fsyncDir(dir: string): void {
  // Makes the rename itself durable; not possible on Windows, where rename is already durable enough.
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `name` in `dir` under a temporary name, fsyncs, then renames; returns what `write` returned. */
export async function writeAtomically<T>(dir: string, name: string, write: (file: fs.promises.FileHandle) => Promise<T>): Promise<T> {
  const temp = path.join(dir, `.${name}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.promises.open(temp, 'w');
  try {
    const result = await write(handle);
    await handle.sync();
    await handle.close();
    await fs.promises.rename(temp, path.join(dir, name));
    return result;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
}

const xmlEscape = (text: string) => text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** A plain element tree of the metadata: objects become elements, arrays repeat an <item>. */
function toXml(name: string, value: unknown, indent: string): string {
  if (value === null || value === undefined) return `${indent}<${name}/>\n`;
  if (Array.isArray(value)) return `${indent}<${name}>\n${value.map((item) => toXml('item', item, `${indent}  `)).join('')}${indent}</${name}>\n`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>).map(([key, item]) => toXml(key, item, `${indent}  `)).join('');
    return `${indent}<${name}>\n${inner}${indent}</${name}>\n`;
  }
  return `${indent}<${name}>${xmlEscape(String(value))}</${name}>\n`;
}

export function indexXml(metadata: DocumentMetadata, pdfName: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${toXml('document', { file: pdfName, ...metadata }, '')}`;
}

const csvColumns = ['documentId', 'file', 'customerId', 'documentType', 'pages', 'sha256', 'station', 'staffUser', 'scannedAt'] as const;

/** Semicolons and a BOM, as German spreadsheet software and DMS importers expect. */
export function indexCsv(metadata: DocumentMetadata, pdfName: string): string {
  const values: Record<(typeof csvColumns)[number], string> = {
    documentId: metadata.documentId,
    file: pdfName,
    customerId: metadata.customer?.id ?? '',
    documentType: metadata.documentType ?? '',
    pages: String(metadata.pages),
    sha256: metadata.sha256,
    station: metadata.station,
    staffUser: metadata.staffUser ?? '',
    scannedAt: metadata.scannedAt,
  };
  const quote = (text: string) => (/[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  return `\ufeff${csvColumns.join(';')}\r\n${csvColumns.map((c) => quote(values[c])).join(';')}\r\n`;
}

export class FolderTarget implements UploadTarget {
  readonly kind = 'folder' as const;

  constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly options: { csv: boolean },
  ) {}

  async send(request: SendRequest): Promise<Receipt> {
    const { metadata, pdfPath } = request;
    try {
      await fs.promises.mkdir(this.dir, { recursive: true });
      await this.removeLeftovers(metadata.documentId);
      const pdfName = `${metadata.documentId}.pdf`;
      if (await this.alreadyComplete(metadata, pdfName)) {
        return { remoteId: pdfName, sha256: metadata.sha256, httpStatus: null, detail: { folder: this.name, confirmedExisting: true } };
      }
      const sha256 = await writeAtomically(this.dir, pdfName, async (handle) => {
        const hash = crypto.createHash('sha256');
        for await (const chunk of fs.createReadStream(pdfPath, { highWaterMark: 256 * 1024, signal: request.signal })) {
          hash.update(chunk as Buffer);
          await handle.write(chunk as Buffer);
        }
        return hash.digest('hex');
      });
      if (sha256 !== metadata.sha256) {
        throw new SendError('local_pdf_changed', 'permanent', "The station's PDF no longer matches its recorded checksum; it must be rebuilt.");
      }
      fsyncDir(this.dir);
      const text = (content: string) => async (handle: fs.promises.FileHandle) => {
        await handle.writeFile(content, 'utf8');
      };
      if (this.options.csv) await writeAtomically(this.dir, `${metadata.documentId}.csv`, text(indexCsv(metadata, pdfName)));
      await writeAtomically(this.dir, `${metadata.documentId}.xml`, text(indexXml(metadata, pdfName)));
      await writeAtomically(this.dir, `${metadata.documentId}.json`, text(JSON.stringify({ file: pdfName, ...metadata }, null, 2)));
      fsyncDir(this.dir);
      return { remoteId: pdfName, sha256, httpStatus: null, detail: { folder: this.name } };
    } catch (error) {
      throw classifyFsError(error);
    }
  }

  /** Every file of this export is there, the JSON index (written last) names this PDF, and the PDF's bytes match. */
  private async alreadyComplete(metadata: DocumentMetadata, pdfName: string): Promise<boolean> {
    const file = (ext: string) => path.join(this.dir, `${metadata.documentId}.${ext}`);
    const indexes = ['xml', 'json', ...(this.options.csv ? ['csv'] : [])];
    for (const ext of ['pdf', ...indexes]) if (!fs.existsSync(file(ext))) return false;
    try {
      const index = JSON.parse(await fs.promises.readFile(file('json'), 'utf8')) as { file?: unknown; sha256?: unknown };
      if (index.file !== pdfName || index.sha256 !== metadata.sha256) return false;
      const hash = crypto.createHash('sha256');
      for await (const chunk of fs.createReadStream(file('pdf'), { highWaterMark: 256 * 1024 })) hash.update(chunk as Buffer);
      return hash.digest('hex') === metadata.sha256;
    } catch {
      return false; // Unreadable or half-replaced by someone else: write it again.
    }
  }

  /** Temporary files of this document left by a crash in the middle of an earlier export. */
  private async removeLeftovers(documentId: string): Promise<void> {
    const prefix = `.${documentId}.`;
    for (const name of await fs.promises.readdir(this.dir)) {
      if (name.startsWith(prefix) && name.endsWith('.tmp')) await fs.promises.rm(path.join(this.dir, name), { force: true });
    }
  }

  async probe(): Promise<void> {
    try {
      await fs.promises.mkdir(this.dir, { recursive: true });
      await fs.promises.access(this.dir, fs.constants.W_OK);
    } catch (error) {
      throw classifyFsError(error);
    }
  }
}
