/**
 * The sending service as the station sees it: targets, the queue and retention, behind one object
 * (station.sending) with wake, pause, resume, retry and status.
 */
import type { StationPaths } from '../config/paths.js';
import type { Profile, StationConfig } from '../config/schema.js';
import type { DocumentRow } from '../store/documents.js';
import type { StationStore } from '../store/station-store.js';
import type { StationEvent } from '../../preload/contract/events.js';
import { Retention } from './retention.js';
import { Sender, type RetryResult, type SendingStatus } from './sender.js';
import type { DeliveryRow } from './send-store.js';
import { createTargets, type TargetClients } from './targets/index.js';

export interface SendingServiceOptions {
  config: StationConfig;
  paths: StationPaths;
  store: StationStore;
  stationId: string;
  owner: string;
  emit(event: StationEvent): void;
  onProblem?(message: string): void;
  /** Profiles by name, for a profile's own target. */
  profileNamed(name: string): Profile | undefined;
  clock?: () => number;
  /** HTTP clients the host platform offers (Electron's net.fetch); see TargetClients. */
  clients?: TargetClients;
  /** The default target now (settings can change it while the station runs); default: config.sending.defaultTarget. */
  defaultTargetName?: () => string;
}

export class SendingService {
  readonly sender: Sender;
  readonly retention: Retention;

  constructor(options: SendingServiceOptions) {
    const sending = options.config.sending;
    const targets = createTargets(sending, { dataDir: options.paths.dataDir, outbox: options.paths.outbox }, options.clients);
    this.sender = new Sender({
      store: options.store,
      config: sending,
      targets,
      dataDir: options.paths.dataDir,
      stationId: options.stationId,
      owner: options.owner,
      leaseMs: options.config.jobLeaseMs,
      targetNameFor: (document: DocumentRow) => options.profileNamed(document.profile_name)?.sendingTarget ?? options.defaultTargetName?.() ?? sending.defaultTarget,
      emit: options.emit,
      onProblem: options.onProblem,
      clock: options.clock,
    });
    this.retention = new Retention({
      store: options.store,
      paths: options.paths,
      retentionDays: sending.retentionDays,
      emit: options.emit,
      clock: options.clock,
      onProblem: options.onProblem,
    });
  }

  start(): void {
    this.sender.start();
    this.retention.start();
  }

  async stop(): Promise<void> {
    this.retention.stop();
    await this.sender.stop();
  }

  wake(): void {
    this.sender.wake();
  }

  pause(actor = 'station'): void {
    this.sender.pause(actor);
  }

  resume(actor = 'station'): void {
    this.sender.resume(actor);
  }

  retry(documentId: string, actor = 'station'): RetryResult {
    return this.sender.retry(documentId, actor);
  }

  status(): SendingStatus {
    return this.sender.status();
  }

  deliveries(documentId: string): DeliveryRow[] {
    return this.sender.deliveries(documentId);
  }

  /** Runs a retention pass now (tests pass a later clock). */
  purgeDue(nowMs?: number): string[] {
    return this.retention.purgeDue(nowMs);
  }
}
