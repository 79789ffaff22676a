/**
 * Runs durable jobs: claims them with a lease, renews the lease while a step runs, and retries a
 * failed step with backoff. Steps commit their result and complete their job in one transaction.
 */
import type { JobKind, JobRow } from '../store/jobs.js';
import type { StationStore } from '../store/station-store.js';

export interface JobContext {
  job: JobRow;
  /** Completes the job; call inside the transaction that commits the step's result. */
  complete(): void;
}

export type JobHandler = (context: JobContext) => Promise<void>;

export interface RunnerOptions {
  owner: string;
  leaseMs: number;
  handlers: Record<JobKind, JobHandler>;
  /** How many jobs of each kind may run at once. */
  concurrency: Record<JobKind, number>;
  maxAttempts: number;
  /** Called when a job has failed for the last time. */
  onGaveUp(job: JobRow, error: Error): void;
  onError(error: Error, job: JobRow): void;
  pollMs?: number;
}

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

export class JobRunner {
  private readonly running = new Map<number, Promise<void>>();
  private readonly runningByKind = new Map<JobKind, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly store: StationStore, private readonly options: RunnerOptions) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 250);
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.running.values()]);
  }

  get busy(): number {
    return this.running.size;
  }

  /** Claims as many runnable jobs as the concurrency limits allow. */
  wake(): void {
    if (this.stopped) return;
    const kinds = Object.keys(this.options.handlers) as JobKind[];
    for (;;) {
      const free = kinds.filter((kind) => (this.runningByKind.get(kind) ?? 0) < this.options.concurrency[kind]);
      if (free.length === 0) break;
      const job = this.store.jobs.claim(this.options.owner, this.options.leaseMs, free);
      if (!job) break;
      this.launch(job);
    }
    if (this.running.size === 0) this.notifyIdle();
  }

  /** Resolves when no job is running and none is runnable right now. */
  whenIdle(): Promise<void> {
    if (this.running.size === 0 && !this.store.jobs.hasOpenWork()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    if (this.store.jobs.hasOpenWork()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private launch(job: JobRow): void {
    const { owner, leaseMs } = this.options;
    this.runningByKind.set(job.kind, (this.runningByKind.get(job.kind) ?? 0) + 1);
    const renew = setInterval(() => this.store.jobs.renew(job.id, owner, leaseMs), Math.max(250, leaseMs / 3));
    const context: JobContext = {
      job,
      complete: () => {
        if (!this.store.jobs.complete(job.id, owner)) throw new LeaseLostError(`Job ${job.id} is no longer held by this station.`);
      },
    };
    const run = this.options.handlers[job.kind](context)
      .catch((error: Error) => this.handleFailure(job, error))
      .finally(() => {
        clearInterval(renew);
        this.running.delete(job.id);
        this.runningByKind.set(job.kind, (this.runningByKind.get(job.kind) ?? 1) - 1);
        this.wake();
      });
    this.running.set(job.id, run);
  }

  private handleFailure(job: JobRow, error: Error): void {
    if (error instanceof LeaseLostError) return;
    this.options.onError(error, job);
    const delay = Math.min(60_000, 500 * 2 ** (job.attempts - 1)) * (0.5 + Math.random() / 2);
    const state = this.store.jobs.fail(job.id, this.options.owner, error.message, this.options.maxAttempts, delay);
    if (state === 'failed') this.options.onGaveUp(job, error);
  }
}
