/**
 * Main's side of the core process: numbered requests, answers matched by id, a timeout so a hung
 * core never hangs the window, and every pending call answered when the core exits.
 * Takes the child as a narrow interface (Electron's UtilityProcess fits it).
 */
import type { Result } from '../../preload/contract/define.js';
import type { StationEvent } from '../../preload/contract/events.js';
import type { ResourceResponse } from '../api/resources.js';
import { coreMessageSchema } from './core-protocol.js';

export interface CoreChild {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

type Pending = { kind: 'call'; resolve: (result: Result<unknown>) => void; timer: NodeJS.Timeout } | { kind: 'resource'; resolve: (response: ResourceResponse) => void; timer: NodeJS.Timeout };

const unavailable = (message: string): Result<unknown> => ({ ok: false, code: 'core_unavailable', message });

export class CoreClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exited = false;
  readonly ready: Promise<void>;

  constructor(
    private readonly child: CoreChild,
    private readonly onEvent: (event: StationEvent) => void,
    private readonly timeoutMs = 120_000,
  ) {
    let markReady!: () => void;
    let markFailed!: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    this.ready.catch(() => undefined);
    child.on('message', (raw) => {
      const parsed = coreMessageSchema.safeParse(raw);
      if (!parsed.success) return;
      const message = parsed.data;
      if ('ready' in message) return markReady();
      if ('failed' in message) return markFailed(new Error(message.failed));
      if ('event' in message) return this.onEvent(message.event as StationEvent);
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (pending.kind === 'call' && 'result' in message) pending.resolve(message.result as Result<unknown>);
      else if (pending.kind === 'resource' && 'resource' in message) pending.resolve(message.resource as ResourceResponse);
    });
    child.on('exit', (code) => {
      this.exited = true;
      markFailed(new Error(`The station core stopped (exit code ${code}).`));
      for (const [id, pending] of this.pending) {
        clearTimeout(pending.timer);
        if (pending.kind === 'call') pending.resolve(unavailable('The station core stopped. Please restart the app.'));
        else pending.resolve({ status: 404 });
        this.pending.delete(id);
      }
    });
  }

  call(name: string, payload: unknown): Promise<Result<unknown>> {
    if (this.exited) return Promise.resolve(unavailable('The station core is not running. Please restart the app.'));
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, code: 'timeout', message: 'The station took too long to answer. Please try again.' });
      }, this.timeoutMs);
      this.pending.set(id, { kind: 'call', resolve, timer });
      this.child.postMessage({ id, name, payload });
    });
  }

  resource(pathname: string): Promise<ResourceResponse> {
    if (this.exited) return Promise.resolve({ status: 404 });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ status: 404 });
      }, this.timeoutMs);
      this.pending.set(id, { kind: 'resource', resolve, timer });
      this.child.postMessage({ id, resource: pathname });
    });
  }

  /** Asks the core to stop cleanly (it closes the database and releases the data folder); kills it after `graceMs`. */
  stop(graceMs = 10_000): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.child.kill();
        resolve();
      }, graceMs);
      this.child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.postMessage({ stop: true });
    });
  }
}
