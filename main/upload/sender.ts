/**
 * The sending queue. Documents in state 'queued' get a durable 'send_document' job; one or two are
 * sent at a time, queued → uploading → uploaded, each step in the audit trail. Sending is
 * at-least-once (a crash or a lost reply means sending again) and every target is idempotent by the
 * document id, so the effect is exactly once.
 *
 * Failures: a target that cannot be reached puts it "offline": its jobs wait without counting
 * attempts, and the target is probed at growing intervals until it answers. A target that answers but
 * fails is retried with exponential backoff and jitter (or after its Retry-After); after maxAttempts,
 * or at once for a permanent refusal, the document goes to 'error' with the reason in plain words.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SendingConfig } from '../config/schema.js';
import type { DocumentRow, DocumentState } from '../store/documents.js';
import type { StationStore } from '../store/station-store.js';
import type { StationEvent } from '../../preload/contract/events.js';
import { backoffMs } from './backoff.js';
import { documentMetadata } from './metadata.js';
import { SendStore, type DeliveryRow, type SendJob } from './send-store.js';
import { SendError, type UploadTarget } from './targets/types.js';

const ACTOR = 'station';

/**
 * A send or probe that never settles (a hung network share blocks file calls that no signal can
 * abort) is given up after `ms`, as a timeout; the stray call is left to finish on its own.
 */
function deadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new SendError('timeout', 'network', 'The target did not answer in time.')), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export interface SenderOptions {
  store: StationStore;
  config: SendingConfig;
  targets: Map<string, UploadTarget>;
  dataDir: string;
  stationId: string;
  /** Lease owner name (station id and process id). */
  owner: string;
  leaseMs: number;
  /** The target a document goes to (its profile's choice or the default). */
  targetNameFor(document: DocumentRow): string;
  emit(event: StationEvent): void;
  /** Something worth a log line (never with customer data). */
  onProblem?(message: string): void;
  clock?: () => number;
  random?: () => number;
  pollMs?: number;
}

export interface OfflineTarget {
  name: string;
  since: string;
  code: string;
  message: string;
  nextProbeAt: string;
}

export interface SendingStatus {
  online: boolean;
  paused: boolean;
  active: number;
  waiting: number;
  needsAttention: number;
  offlineTargets: OfflineTarget[];
  /** Reachability checks made while a target was offline (they are not send attempts). */
  probes: number;
  nextAttemptAt: string | null;
}

interface OfflineState {
  sinceMs: number;
  code: string;
  message: string;
  intervalMs: number;
  nextProbeMs: number;
  probing: boolean;
}

export type RetryResult = 'retried' | 'not_found' | 'not_waiting';

export class Sender {
  readonly rows: SendStore;
  private readonly active = new Map<number, { documentId: string; controller: AbortController; run: Promise<void> }>();
  private readonly offline = new Map<string, OfflineState>();
  private readonly clock: () => number;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private paused = false;
  private probes = 0;
  private lastEmitted = '';

  constructor(private readonly options: SenderOptions) {
    this.rows = new SendStore(options.store.db);
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.rows.interruptRunning();
    this.paused = this.rows.setting('paused') === 'true';
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 500);
    this.wake();
  }

  /** Stops taking work; sends under way are cut off and go back to the queue uncounted (idempotent anyway). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const { controller } of this.active.values()) controller.abort();
    await Promise.allSettled([...this.active.values()].map((a) => a.run));
    for (const target of this.options.targets.values()) target.close?.();
  }

  /** Looks for new work now (the assign flow may call this after queuing a document). */
  wake(): void {
    if (this.stopped) return;
    try {
      this.rows.enqueueWaiting();
      this.probeDueTargets();
    } catch (error) {
      this.options.onProblem?.(`Sending queue: ${(error as Error).message}`);
    }
    this.pump();
  }

  /** Starts sends up to the concurrency limit (cheap: called again after every send). */
  private pump(): void {
    if (this.stopped) return;
    try {
      if (!this.paused) this.claimWork();
    } catch (error) {
      this.options.onProblem?.(`Sending queue: ${(error as Error).message}`);
    }
    this.emitStatus();
  }

  pause(actor: string): void {
    this.setPaused(true, actor);
  }

  resume(actor: string): void {
    this.setPaused(false, actor);
    this.wake();
  }

  /** Manual retry: a document that needs attention goes back to the queue; a waiting one is sent now. */
  retry(documentId: string, actor: string): RetryResult {
    const document = this.options.store.documents.get(documentId);
    if (!document) return 'not_found';
    const job = this.rows.jobFor(documentId);
    if (document.state === 'error' && job?.state === 'failed') {
      this.options.store.transaction(() => {
        this.options.store.documents.setState(documentId, 'queued');
        this.rows.restart(documentId);
        this.options.store.audit.record({ actor, action: 'retry_send', subjectType: 'document', subjectId: documentId, fromState: 'error', toState: 'queued' });
      });
      this.changed(documentId, 'queued');
    } else if ((document.state === 'queued' || document.state === 'uploading') && job?.state === 'pending') {
      this.rows.restart(documentId);
      const target = this.offline.get(this.options.targetNameFor(document));
      if (target) target.nextProbeMs = 0;
    } else {
      return 'not_waiting';
    }
    this.wake();
    return 'retried';
  }

  status(): SendingStatus {
    const counts = this.options.store.documents.countsByState();
    const waiting = counts.queued + counts.uploading;
    const next = this.rows.nextDueMs();
    return {
      online: this.offline.size === 0,
      paused: this.paused,
      active: this.active.size,
      waiting: Math.max(0, waiting - this.active.size),
      needsAttention: this.rows.needsAttention(),
      offlineTargets: [...this.offline].map(([name, o]) => ({ name, since: new Date(o.sinceMs).toISOString(), code: o.code, message: o.message, nextProbeAt: new Date(o.nextProbeMs).toISOString() })),
      probes: this.probes,
      nextAttemptAt: next && next > this.clock() ? new Date(next).toISOString() : null,
    };
  }

  deliveries(documentId: string): DeliveryRow[] {
    return this.rows.deliveries(documentId);
  }

  private setPaused(paused: boolean, actor: string): void {
    if (this.paused === paused) return;
    this.paused = paused;
    this.options.store.transaction(() => {
      this.rows.setSetting('paused', String(paused));
      this.options.store.audit.record({ actor, action: paused ? 'sending_paused' : 'sending_resumed', subjectType: 'station', subjectId: this.options.stationId });
    });
    this.emitStatus();
  }

  private emitStatus(): void {
    const s = this.status();
    const event = { type: 'sending' as const, online: s.online, paused: s.paused, active: s.active, waiting: s.waiting };
    const key = JSON.stringify(event);
    if (key === this.lastEmitted) return;
    this.lastEmitted = key;
    this.options.emit(event);
  }

  private changed(documentId: string, state: DocumentState): void {
    this.options.emit({ type: 'documents-changed', ids: [documentId], states: [state] });
  }

  private claimWork(): void {
    while (this.active.size < this.options.config.concurrency) {
      const busy = new Set([...this.active.values()].map((a) => a.documentId));
      const candidates = this.rows.runnable(this.clock(), 50).filter((job) => !busy.has(job.subject_id));
      let launched = false;
      for (const job of candidates) {
        const document = this.options.store.documents.get(job.subject_id);
        const targetName = document ? this.options.targetNameFor(document) : '';
        if (document && this.offline.has(targetName)) continue;
        if (!this.rows.take(job.id, this.options.owner, this.options.leaseMs, this.clock())) continue;
        this.launch(job, document, targetName);
        launched = true;
        break;
      }
      if (!launched) return;
    }
  }

  private launch(job: SendJob, document: DocumentRow | undefined, targetName: string): void {
    const controller = new AbortController();
    const renew = setInterval(() => this.rows.renew(job.id, this.options.owner, this.options.leaseMs, this.clock()), Math.max(250, this.options.leaseMs / 3));
    const run = this.send(job, document, targetName, controller.signal)
      .catch((error) => this.options.onProblem?.(`Sending: ${(error as Error).message}`))
      .finally(() => {
        clearInterval(renew);
        this.active.delete(job.id);
        this.pump();
      });
    this.active.set(job.id, { documentId: job.subject_id, controller, run });
  }

  private async send(job: SendJob, document: DocumentRow | undefined, targetName: string, signal: AbortSignal): Promise<void> {
    const { store } = this.options;
    const owner = this.options.owner;
    // Nothing (left) to send: staff took it back, or it was sent before a crash let the job linger.
    if (!document || (document.state !== 'queued' && document.state !== 'uploading')) {
      store.transaction(() => this.rows.complete(job.id, owner));
      return;
    }
    const target = this.options.targets.get(targetName);
    let deliveryId = 0;
    try {
      if (!target) throw new SendError('unknown_target', 'permanent', `No sending target named "${targetName}" is configured.`);
      if (!document.pdf_path || !document.pdf_sha256) throw new SendError('no_pdf', 'permanent', 'The document has no finished PDF to send.');
      const pdfPath = path.join(this.options.dataDir, document.pdf_path);
      if (!fs.existsSync(pdfPath)) throw new SendError('local_pdf_missing', 'permanent', "The document's PDF is missing from the station's store.");
      deliveryId = store.transaction(() => {
        if (document.state === 'queued') {
          store.documents.setState(document.id, 'uploading');
          store.audit.record({ actor: ACTOR, action: 'send', subjectType: 'document', subjectId: document.id, fromState: 'queued', toState: 'uploading', detail: { target: targetName } });
        }
        return this.rows.startAttempt(document.id, targetName);
      });
      if (document.state === 'queued') this.changed(document.id, 'uploading');
      const metadata = documentMetadata(store, document, this.options.stationId);
      const receipt = await deadline(target.send({ metadata, pdfPath, idempotencyKey: document.id, signal }), this.options.config.timeoutMs + 1_000);
      if (receipt.sha256 !== document.pdf_sha256) throw new SendError('checksum_mismatch', 'permanent', 'The target holds a document whose checksum differs from this one.');
      const now = this.clock();
      // An ordinary commit: if a crash loses it, the document is sent again and the target answers
      // the repeat from its first receipt; nothing irreversible follows that would need a full sync.
      const recorded = store.transaction(() => {
        if (!this.rows.complete(job.id, owner)) return false;
        this.rows.recordSent({
          document_id: document.id,
          target: targetName,
          remote_id: receipt.remoteId,
          remote_sha256: receipt.sha256,
          receipt: JSON.stringify(receipt),
          delivered_at: new Date(now).toISOString(),
          delivered_at_ms: now,
        });
        store.documents.setState(document.id, 'uploaded');
        store.audit.record({
          actor: ACTOR,
          action: 'delivered',
          subjectType: 'document',
          subjectId: document.id,
          fromState: 'uploading',
          toState: 'uploaded',
          detail: { target: targetName, remoteId: receipt.remoteId, httpStatus: receipt.httpStatus },
        });
        this.rows.finishAttempt(deliveryId, 'delivered', true, { httpStatus: receipt.httpStatus, remoteId: receipt.remoteId });
        return true;
      });
      // A lost lease means another holder took over; it will confirm the same idempotent delivery.
      if (recorded) this.changed(document.id, 'uploaded');
    } catch (error) {
      await this.failed(job, document, targetName, target, deliveryId, error);
    }
  }

  private async failed(job: SendJob, document: DocumentRow, targetName: string, target: UploadTarget | undefined, deliveryId: number, thrown: unknown): Promise<void> {
    const { store, config } = this.options;
    const owner = this.options.owner;
    const error = thrown instanceof SendError ? thrown : new SendError('internal', 'retry', 'Sending failed for an unexpected reason; the station tries again.');
    if (!(thrown instanceof SendError)) this.options.onProblem?.(`Sending ${document.id}: ${(thrown as Error).message}`);
    const detail = { httpStatus: error.extra.httpStatus, code: error.code, message: error.message };
    if (this.stopped) {
      // Cut off by stop(): not the target's fault; the job runs again at the next start.
      store.transaction(() => {
        this.rows.later(job.id, owner, false, 0, error.message);
        if (deliveryId) this.rows.finishAttempt(deliveryId, 'interrupted', false, detail);
      });
      return;
    }
    if (error.kind === 'network' && target && !(await this.reachable(target))) {
      // Offline: no attempt is counted; the job waits until a probe finds the target again.
      this.markOffline(targetName, error);
      store.transaction(() => {
        this.rows.later(job.id, owner, false, this.clock(), error.message);
        if (deliveryId) this.rows.finishAttempt(deliveryId, 'offline', false, detail);
      });
      return;
    }
    const attempts = job.attempts + 1;
    if (error.kind === 'permanent' || attempts >= config.maxAttempts) {
      const reason = error.kind === 'permanent' ? error.message : `${error.message} (gave up after ${attempts} attempts)`;
      store.transaction(() => {
        this.rows.fail(job.id, owner, `${error.code}: ${reason}`);
        store.documents.setState(document.id, 'error', reason);
        store.audit.record({
          actor: ACTOR,
          action: 'send_failed',
          subjectType: 'document',
          subjectId: document.id,
          fromState: store.documents.get(document.id)?.state ?? document.state,
          toState: 'error',
          detail: { target: targetName, code: error.code, attempts },
        });
        if (deliveryId) this.rows.finishAttempt(deliveryId, 'failed', true, detail);
      });
      this.options.onProblem?.(`Document ${document.id} needs attention: ${error.code}`);
      this.changed(document.id, 'error');
      return;
    }
    const delay = error.extra.retryAfterMs ?? backoffMs(attempts, config.backoffBaseMs, config.backoffMaxMs, this.random);
    store.transaction(() => {
      this.rows.later(job.id, owner, true, this.clock() + delay, `${error.code}: ${error.message}`);
      if (deliveryId) this.rows.finishAttempt(deliveryId, 'retry', true, detail);
    });
  }

  /** One quick reachability check: any answer at all means the target is up. */
  private async reachable(target: UploadTarget): Promise<boolean> {
    this.probes++;
    try {
      const limit = Math.min(this.options.config.timeoutMs, 10_000);
      await deadline(target.probe(AbortSignal.timeout(limit)), limit + 1_000);
      return true;
    } catch (error) {
      return !(error instanceof SendError && error.kind === 'network');
    }
  }

  private markOffline(name: string, error: SendError): void {
    if (this.offline.has(name)) return;
    const intervalMs = Math.min(1_000, this.options.config.probeMaxIntervalMs);
    this.offline.set(name, { sinceMs: this.clock(), code: error.code, message: error.message, intervalMs, nextProbeMs: this.clock() + intervalMs, probing: false });
    this.options.onProblem?.(`Sending target ${name} is offline (${error.code}); waiting for it quietly.`);
    this.emitStatus();
  }

  private probeDueTargets(): void {
    for (const [name, state] of this.offline) {
      if (state.probing || state.nextProbeMs > this.clock()) continue;
      const target = this.options.targets.get(name);
      if (!target) {
        this.offline.delete(name);
        continue;
      }
      state.probing = true;
      void this.reachable(target).then((up) => {
        state.probing = false;
        if (up) {
          this.offline.delete(name);
          this.options.onProblem?.(`Sending target ${name} is reachable again.`);
          this.wake();
        } else {
          state.intervalMs = Math.min(state.intervalMs * 2, this.options.config.probeMaxIntervalMs);
          state.nextProbeMs = this.clock() + state.intervalMs;
        }
      });
    }
  }
}
