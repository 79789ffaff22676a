// Worker entry that runs a TypeScript module from source (tsx) or a built .js module alike, so the
// same pool works in development, in tests and in the packaged app.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
