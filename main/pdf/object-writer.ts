/**
 * Writes PDF objects one after another to a byte sink, remembering where each one starts, and
 * ends the file with the classic cross-reference table and trailer. Nothing is kept but the
 * offsets, so a document of any length costs the memory of its largest object. Every byte is
 * hashed as it goes out, so the caller gets the file's sha256 without reading it back.
 */
import crypto from 'node:crypto';

/** Where the bytes go: a file (the station) or memory (tests, small documents). */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
}

/** Small pieces are gathered up to this size before a write, so a page costs a write or two. */
const GATHER_BYTES = 64 * 1024;
/** The xref table has room for ten digits per offset. */
const MAX_OFFSET = 9_999_999_999;

export class PdfObjectWriter {
  private readonly hash = crypto.createHash('sha256');
  /** offsets[n] is where object n starts; undefined while only reserved. */
  private readonly offsets: (number | undefined)[] = [undefined];
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;
  private written = 0;

  constructor(private readonly sink: ByteSink) {}

  /** Bytes written so far, including any still gathered. */
  get position(): number {
    return this.written + this.gatheredBytes;
  }

  /** A number for an object written later (e.g. the page tree the pages name as their parent). */
  reserve(): number {
    this.offsets.push(undefined);
    return this.offsets.length - 1;
  }

  async header(version: string): Promise<void> {
    // The comment of bytes above 127 tells transfer tools the file is binary (PDF 32000-1, 7.5.2).
    await this.raw(Buffer.concat([Buffer.from(`%PDF-${version}\n`, 'latin1'), Buffer.from([0x25, 0xe2, 0xe3, 0xcf, 0xd3, 0x0a])]));
  }

  /** Writes `<< entries >>` as object `number`. Entries are PDF syntax, ASCII only. */
  async dictionary(number: number, entries: string): Promise<void> {
    this.begin(number);
    await this.raw(Buffer.from(`${number} 0 obj\n<< ${entries} >>\nendobj\n`, 'latin1'));
  }

  /** Writes a stream object; `data` goes out as it is (already encoded for its filter, if any). */
  async stream(number: number, entries: string, data: Uint8Array): Promise<void> {
    this.begin(number);
    await this.raw(Buffer.from(`${number} 0 obj\n<< ${entries ? `${entries} ` : ''}/Length ${data.length} >>\nstream\n`, 'latin1'));
    await this.raw(data);
    await this.raw(Buffer.from('\nendstream\nendobj\n', 'latin1'));
  }

  /**
   * Writes the xref table and trailer and returns the file's size and sha256. The trailer's /ID is
   * the first 16 bytes of the hash of everything before it: the same content gives the same ID.
   */
  async finish(root: number, info: number): Promise<{ sha256: string; bytes: number }> {
    const missing = this.offsets.findIndex((offset, number) => number > 0 && offset === undefined);
    if (missing > 0) throw new Error(`PDF object ${missing} was reserved but never written`);
    await this.flush();
    const id = this.hash.copy().digest('hex').slice(0, 32).toUpperCase();
    const xrefAt = this.position;
    const lines = [`xref\n0 ${this.offsets.length}\n`, '0000000000 65535 f \n'];
    // Each entry is exactly 20 bytes: ten-digit offset, generation, type, two-byte end of line.
    for (let number = 1; number < this.offsets.length; number++) lines.push(`${String(this.offsets[number]).padStart(10, '0')} 00000 n \n`);
    lines.push(`trailer\n<< /Size ${this.offsets.length} /Root ${root} 0 R /Info ${info} 0 R /ID [<${id}> <${id}>] >>\n`);
    lines.push(`startxref\n${xrefAt}\n%%EOF\n`);
    await this.raw(Buffer.from(lines.join(''), 'latin1'));
    await this.flush();
    return { sha256: this.hash.digest('hex'), bytes: this.written };
  }

  private begin(number: number): void {
    if (!Number.isInteger(number) || number < 1 || number >= this.offsets.length) throw new Error(`PDF object ${number} was never reserved`);
    if (this.offsets[number] !== undefined) throw new Error(`PDF object ${number} is written twice`);
    const offset = this.position;
    if (offset > MAX_OFFSET) throw new Error(`the PDF passes ${MAX_OFFSET} bytes: the classic xref table cannot point beyond`);
    this.offsets[number] = offset;
  }

  private async raw(chunk: Uint8Array): Promise<void> {
    if (chunk.length >= GATHER_BYTES) {
      // Large data (a page image) goes out directly: copying it into a gather buffer costs time.
      await this.flush();
      await this.emit(chunk);
      return;
    }
    this.gathered.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.gatheredBytes += chunk.length;
    if (this.gatheredBytes >= GATHER_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.gatheredBytes === 0) return;
    const chunk = Buffer.concat(this.gathered, this.gatheredBytes);
    this.gathered = [];
    this.gatheredBytes = 0;
    await this.emit(chunk);
  }

  private async emit(chunk: Uint8Array): Promise<void> {
    this.hash.update(chunk);
    this.written += chunk.length;
    await this.sink.write(chunk);
  }
}
