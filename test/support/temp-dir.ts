/** A temporary folder for one test file, removed afterwards, with a helper to write files into it. */
import { afterAll, beforeAll } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export function useTempDir(prefix: string): { write(name: string, data: Buffer): Promise<string>; path(): string } {
  let dir = '';
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  return {
    path: () => dir,
    async write(name, data) {
      const file = path.join(dir, name);
      await fs.writeFile(file, data);
      return file;
    },
  };
}
