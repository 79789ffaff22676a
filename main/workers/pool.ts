/**
 * A small pool of worker threads for page work, so pixel loops never block the thread that owns
 * the database and the watcher. A worker that dies takes only its task with it; a new one replaces it.
 * One worker starts with the pool (it boots while the caller opens its database and reads the first
 * file); the others start when work waits for them: each boot costs about half a second of CPU
 * (sharp and the page code), which a one-page run or an idle watcher need not pay. A caller that
 * knows work is coming starts more at once (warm); the first worker may have been started by the
 * launcher before this module was even loaded (prestart.mjs).
 */
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import { takePrestartedWorker } from './prestart.mjs';

interface Pending<Result> {
  task: unknown;
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
}

interface Slot<Result> {
  worker: Worker;
  current?: Pending<Result>;
}

export class WorkerPool<Task, Result> {
  private readonly slots: Slot<Result>[] = [];
  private readonly queue: Pending<Result>[] = [];
  private closed = false;

  private readonly capacity: number;

  constructor(private readonly entry: URL, size = os.availableParallelism()) {
    this.capacity = Math.max(1, size);
    this.slots.push(this.spawn());
  }

  /** The most workers the pool runs at once. */
  get size(): number {
    return this.capacity;
  }

  /** Workers started so far. */
  get started(): number {
    return this.slots.length;
  }

  /**
   * Starts workers now, up to `count` (and the pool's size), for work the caller knows is coming:
   * a worker boots while the first tasks are still being prepared instead of after they wait.
   */
  warm(count: number): void {
    while (!this.closed && this.slots.length < Math.min(count, this.capacity)) {
      this.slots.push(this.spawn());
    }
  }

  run(task: Task): Promise<Result> {
    if (this.closed) return Promise.reject(new Error('The page worker pool is closed.'));
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error('The page worker pool was closed.'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Slot<Result> {
    const worker = takePrestartedWorker(this.entry.href) ?? new Worker(new URL('./boot.mjs', import.meta.url), { workerData: { entry: this.entry.href } });
    worker.unref();
    const slot: Slot<Result> = { worker };
    worker.on('message', (message: { ok: true; result: Result } | { ok: false; error: string }) => {
      const pending = slot.current;
      slot.current = undefined;
      if (pending) {
        if (message.ok) pending.resolve(message.result);
        else pending.reject(new Error(message.error));
      }
      this.dispatch();
    });
    worker.on('error', (error) => this.replace(slot, error));
    worker.on('exit', (code) => {
      if (!this.closed && code !== 0) this.replace(slot, new Error(`A page worker stopped with exit code ${code}.`));
    });
    return slot;
  }

  private replace(slot: Slot<Result>, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    slot.current?.reject(error);
    slot.current = undefined;
    if (this.closed) return;
    void slot.worker.terminate();
    this.slots[index] = this.spawn();
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.current || this.queue.length === 0) continue;
      this.assign(slot, this.queue.shift()!);
    }
    // A new worker takes its task at once: messages wait in its port while it boots.
    while (this.queue.length > 0 && this.slots.length < this.capacity) {
      const slot = this.spawn();
      this.slots.push(slot);
      this.assign(slot, this.queue.shift()!);
    }
    for (const slot of this.slots) if (!slot.current) slot.worker.unref();
  }

  private assign(slot: Slot<Result>, next: Pending<Result>): void {
    slot.current = next;
    slot.worker.ref();
    slot.worker.postMessage(next.task);
  }
}

/** Runs in the worker: answers each task message with its handler's result. */
export function serveTasks<Task, Result>(port: import('node:worker_threads').MessagePort, handler: (task: Task) => Promise<Result>): void {
  port.on('message', async (task: Task) => {
    try {
      port.postMessage({ ok: true, result: await handler(task) });
    } catch (error) {
      port.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  });
}
