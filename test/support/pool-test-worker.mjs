// A page worker stand-in for the pool's tests: answers { waitMs } after that long with its thread id,
// and { exit } by stopping the thread as a crashing worker would.
import { parentPort, threadId } from 'node:worker_threads';

parentPort.on('message', (task) => {
  if (task.exit) process.exit(task.exit);
  setTimeout(() => parentPort.postMessage({ ok: true, result: { threadId } }), task.waitMs ?? 0);
});
