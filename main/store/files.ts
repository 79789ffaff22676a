/**
 * Crash-safe file writes: a step writes a temporary file, fsyncs it, renames it into place and
 * fsyncs the folder, so the database never points at a file that is not whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const TEMP_MARK = '.part-';

export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `${path.basename(target)}${TEMP_MARK}${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
}

export function isTempPath(name: string): boolean {
  return name.includes(TEMP_MARK);
}

export function fsyncDir(dir: string): void {
  // Directories cannot be opened for fsync on Windows; the rename is durable enough there.
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function writeFileAtomic(target: string, data: Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, target);
  fsyncDir(path.dirname(target));
}

export interface CopiedFile {
  sha256: string;
  size: number;
}

/**
 * Copies `source` to `target` (temp + fsync + rename) while hashing the bytes actually copied, so
 * the hash always describes the stored copy even if the source changes under us.
 */
export async function copyFileAtomicWithHash(source: string, target: string): Promise<CopiedFile> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const hash = crypto.createHash('sha256');
  let size = 0;
  const input = await fs.promises.open(source, 'r');
  const output = await fs.promises.open(temp, 'w');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      await output.write(chunk);
      size += bytesRead;
    }
    await output.sync();
  } catch (error) {
    await output.close().catch(() => undefined);
    await input.close().catch(() => undefined);
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
  await output.close();
  await input.close();
  await fs.promises.rename(temp, target);
  fsyncDir(path.dirname(target));
  return { sha256: hash.digest('hex'), size };
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Removes temporary files a crash left behind in the station's own folders. */
export function removeStaleTempFiles(dirs: string[]): number {
  let removed = 0;
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      if (isTempPath(name)) {
        fs.rmSync(path.join(dir, name), { force: true });
        removed++;
      }
    }
  }
  return removed;
}
