/**
 * Directory sync from a REST endpoint (the protocol is in main/customers/README.md):
 *   GET <url>?updatedSince=<cursor>   Authorization: Bearer <token>   If-None-Match: <etag of that URL>
 *   304 -> nothing changed; 200 -> { customers: [...], cursor, more? }, applied page by page, each
 *   page in one transaction together with the cursor it leads to, so an interrupted sync resumes.
 * Failures are returned, not thrown: the caller records them and tries again later.
 */
import { z } from 'zod';
import type { Db } from '../store/db.js';
import { checkCustomer } from './record.js';
import type { CustomerRepository } from './repository.js';

export interface SyncSettings {
  url: string;
  token?: string | undefined;
  timeoutSeconds: number;
  cursorParam: string;
}

/** The part of fetch the sync needs (global fetch in Node; Electron's net.fetch fits too). */
export type FetchLike = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<{
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export interface SyncOutcome {
  ok: boolean;
  /** Nothing new: the server answered 304 Not Modified. */
  notModified: boolean;
  pages: number;
  imported: number;
  updated: number;
  deleted: number;
  /** Records the server sent that could not be taken (with why, for the first few). */
  skipped: number;
  problems: string[];
  /** Plain-words reason when ok is false. */
  error?: string;
}

const text = z.union([z.string(), z.number().transform(String)]).nullish();
const remoteCustomer = z.looseObject({
  customerNumber: text,
  bgNumber: text,
  familyName: text,
  givenNames: text,
  birthDate: text,
  street: text,
  postalCode: text,
  city: text,
  deleted: z.boolean().optional(),
});
const remotePage = z.looseObject({
  customers: z.array(z.unknown()),
  cursor: z.string().max(1000).nullish(),
  more: z.boolean().optional(),
});

const CURSOR = 'sync.cursor';
const ETAG = 'sync.etag';
const MAX_PAGES = 10_000;

function pageUrl(settings: SyncSettings, cursor: string | undefined): string {
  const url = new URL(settings.url);
  if (cursor) url.searchParams.set(settings.cursorParam, cursor);
  return url.toString();
}

/** Why a request failed, in words that name no token and no customer. */
function describeFailure(error: unknown, timeoutSeconds: number): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `The directory server did not answer within ${timeoutSeconds} s.`;
  const code = e.cause?.code ?? e.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return `The directory server cannot be reached (${code}); the station keeps working with the directory it has.`;
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'The directory server closed the connection in the middle of the answer.';
  return `The directory server could not be asked: ${code ?? e.cause?.message ?? e.message ?? 'unknown error'}.`;
}

export async function syncCustomers(db: Db, repository: CustomerRepository, settings: SyncSettings, fetchFn: FetchLike, now: () => Date = () => new Date(), stop?: AbortSignal): Promise<SyncOutcome> {
  const outcome: SyncOutcome = { ok: true, notModified: false, pages: 0, imported: 0, updated: 0, deleted: 0, skipped: 0, problems: [] };
  const fail = (message: string): SyncOutcome => ({ ...outcome, ok: false, error: message });
  for (let page = 0; page < MAX_PAGES; page++) {
    const cursor = repository.getState(CURSOR);
    const url = pageUrl(settings, cursor);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (settings.token) headers.authorization = `Bearer ${settings.token}`;
    const stored = repository.getState(ETAG);
    const etag = stored ? (JSON.parse(stored) as { url: string; etag: string }) : undefined;
    if (etag && etag.url === url) headers['if-none-match'] = etag.etag;
    let status: number;
    let body: string;
    let responseEtag: string | null;
    try {
      const timeout = AbortSignal.timeout(settings.timeoutSeconds * 1000);
      const response = await fetchFn(url, { headers, signal: stop ? AbortSignal.any([timeout, stop]) : timeout });
      status = response.status;
      responseEtag = response.headers.get('etag');
      body = status === 304 ? '' : await response.text();
      if (status !== 304 && status !== 200) {
        if (status === 401 || status === 403) return fail(`The directory server refused the station (${status} ${response.statusText}): check customers.sync.token.`);
        return fail(`The directory server answered ${status} ${response.statusText}.`);
      }
    } catch (error) {
      if (stop?.aborted) return fail('The sync was stopped because the station is shutting down.');
      return fail(describeFailure(error, settings.timeoutSeconds));
    }
    if (status === 304) {
      outcome.notModified = page === 0;
      return outcome;
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return fail('The directory server sent something that is not JSON.');
    }
    const parsed = remotePage.safeParse(json);
    if (!parsed.success) return fail(`The directory server's answer is not a customer list: ${parsed.error.issues[0]?.path.join('.') || '(top level)'} ${parsed.error.issues[0]?.message ?? ''}`.trim());
    const today = now();
    const stamp = today.toISOString();
    db.transaction(() => {
      parsed.data.customers.forEach((item, index) => {
        const record = remoteCustomer.safeParse(item);
        const where = `record ${index + 1} of page ${page + 1}`;
        if (!record.success) {
          outcome.skipped++;
          if (outcome.problems.length < 20) outcome.problems.push(`${where}: not a customer record`);
          return;
        }
        const r = record.data;
        if (r.deleted) {
          if (r.customerNumber && repository.markDeleted(r.customerNumber, stamp)) outcome.deleted++;
          return;
        }
        const checked = checkCustomer(
          { customerNumber: r.customerNumber ?? undefined, bgNumber: r.bgNumber ?? undefined, familyName: r.familyName ?? undefined, givenNames: r.givenNames ?? undefined, birthDate: r.birthDate ?? undefined, street: r.street ?? undefined, postalCode: r.postalCode ?? undefined, city: r.city ?? undefined },
          today,
        );
        if (!checked.ok) {
          outcome.skipped++;
          if (outcome.problems.length < 20) outcome.problems.push(`${where}: ${checked.message}`);
          return;
        }
        const result = repository.upsert(checked.customer, 'sync', stamp);
        if (result === 'inserted') outcome.imported++;
        else if (result === 'updated') outcome.updated++;
      });
      const next = parsed.data.cursor ?? cursor;
      repository.setState(CURSOR, next ?? null);
      // The ETag belongs to the URL it answered; once the cursor moves on the next URL has none yet.
      repository.setState(ETAG, responseEtag ? JSON.stringify({ url, etag: responseEtag }) : null);
    }).immediate();
    outcome.pages++;
    const cursorMoved = (parsed.data.cursor ?? cursor) !== cursor;
    if (!parsed.data.more || !cursorMoved) return outcome;
  }
  return outcome;
}

/** Forgets the cursor and ETag: the next sync asks for everything (after the sync URL changed). */
export function resetSyncCursor(repository: CustomerRepository): void {
  repository.setState(CURSOR, null);
  repository.setState(ETAG, null);
}
