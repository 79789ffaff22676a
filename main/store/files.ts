/**
 * Crash-safe file writes: a step writes a temporary file, fsyncs it, renames it into place and
 * fsyncs the folder, so the database never points at a file that is not whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const TEMP_MARK = '.part-';

/**
 * Whether this process syncs what it writes into a station's folders (the default). Off only while
 * `station process` runs on the private data folder it made itself: nothing ever resumes that
 * folder (a crashed run leaves it behind, the next run makes a new one) and the run deletes it at
 * the end, so a sync there protects nothing and only waits for the disk. Files a run writes for
 * the user (--out) are not written through here.
 */
let syncWrites = true;

export function setSyncWrites(on: boolean): void {
  syncWrites = on;
}

export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `${path.basename(target)}${TEMP_MARK}${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
}

export function isTempPath(name: string): boolean {
  return name.includes(TEMP_MARK);
}

export function fsyncDir(dir: string): void {
  // Directories cannot be opened for fsync on Windows; the rename is durable enough there.
  if (process.platform === 'win32' || !syncWrites) return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * fsyncs a folder without blocking the thread (the sync runs in libuv's pool), so that renames
 * into it are on disk. Callers that rename several files into one folder at about the same time
 * share syncs: a sync covers every rename made before it starts, so a caller that arrives while one
 * is running waits for the next one, which all callers arriving meanwhile share.
 */
export function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32' || !syncWrites) return Promise.resolve();
  const state = directorySyncs.get(dir);
  if (!state) return startDirectorySync(dir);
  state.next ??= state.running.then(
    () => startDirectorySync(dir),
    () => startDirectorySync(dir),
  );
  return state.next;
}

const directorySyncs = new Map<string, { running: Promise<void>; next?: Promise<void> }>();

function startDirectorySync(dir: string): Promise<void> {
  const running: Promise<void> = syncDirectoryNow(dir).finally(() => {
    if (directorySyncs.get(dir)?.running === running) directorySyncs.delete(dir);
  });
  directorySyncs.set(dir, { running });
  return running;
}

async function syncDirectoryNow(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function writeFileAtomic(target: string, data: Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, data);
    if (syncWrites) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, target);
  fsyncDir(path.dirname(target));
}

/**
 * Writes `data` whole under `target` (a temporary name, then a rename) without syncing anything:
 * for a file no committed row names yet, whose owner syncs it (syncFile, then syncDirectory) before
 * the commit that names it. A crash or power cut before that sync leaves at worst a short or
 * missing file that nothing names, which the step writes again when it runs again. The page
 * workers write their pages so, and the station syncs them in libuv's pool instead of holding up
 * a worker thread for two syncs per page.
 */
export function writeFileUnsynced(target: string, data: Uint8Array): void {
  const temp = tempPathFor(target);
  fs.writeFileSync(temp, data);
  fs.renameSync(temp, target);
}

/** fsyncs a file's data (opened for writing, which Windows needs to flush it) without blocking the thread. */
export async function syncFile(file: string): Promise<void> {
  if (!syncWrites) return;
  const handle = await fs.promises.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
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
  const copied = await copyFileWithHash(source, temp);
  await fs.promises.rename(temp, target);
  fsyncDir(path.dirname(target));
  return copied;
}

/**
 * Copies `source` to `target` while hashing the bytes actually copied, and fsyncs the copy's data
 * before it resolves. Unlike copyFileAtomicWithHash there is no temporary name and no folder sync:
 * for a scratch `target` in a folder that is emptied at start-up and that nothing durable ever
 * names, from where the caller renames it into place (and syncs that folder) once it is whole.
 */
export async function copyFileWithHash(source: string, target: string): Promise<CopiedFile> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  const input = await fs.promises.open(source, 'r');
  let output: fs.promises.FileHandle | undefined;
  try {
    output = await fs.promises.open(target, 'w');
    // One read for a scanner page of the usual size; the buffer grows no further than 4 MiB.
    const { size: expected } = await input.stat();
    const buffer = Buffer.allocUnsafe(Math.min(Math.max(expected + 1, 64 * 1024), 4 << 20));
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      await output.write(chunk);
      size += bytesRead;
    }
    if (syncWrites) await output.sync();
  } catch (error) {
    await output?.close().catch(() => undefined);
    await input.close().catch(() => undefined);
    await fs.promises.rm(target, { force: true });
    throw error;
  }
  await output.close();
  await input.close();
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
