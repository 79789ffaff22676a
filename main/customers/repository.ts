/**
 * The customers table and its full-text index, kept in step in the same transaction. The index
 * holds folded words only (main/customers/fold.ts); the table keeps every field as given.
 */
import crypto from 'node:crypto';
import type { Db } from '../store/db.js';
import { statement } from '../store/statements.js';
import { birthDateIndexWords } from './dates.js';
import { foldWords, nameIndexWords, numberKey, sortKey } from './fold.js';
import type { CustomerFields, CustomerSource } from './record.js';

export interface CustomerRow {
  seq: number;
  id: string;
  customer_number: string;
  customer_key: string;
  bg_number: string | null;
  bg_key: string | null;
  family_name: string;
  given_names: string;
  birth_date: string | null;
  street: string | null;
  postal_code: string | null;
  city: string | null;
  source: CustomerSource;
  sort_key: string;
  rank_key: string;
  updated_at: string;
  deleted: number;
  last_used_at: string | null;
}

export type UpsertOutcome = 'inserted' | 'updated' | 'unchanged';

/**
 * Search order as one indexed key, so the first page of even a one-letter search is read in order
 * and never sorted: the recently used first, most recent first ('0' + inverted time), then everyone
 * by name ('1' + sort key). Recency fades: demoteBefore() moves old uses back into name order.
 */
const MAX_MS = 9_999_999_999_999;
export const recentRank = (ms: number): string => `0${String(MAX_MS - ms).padStart(13, '0')}`;
export const nameRank = (sortKey: string): string => `1${sortKey}`;

/**
 * Above this many matches the first page is read by walking the rank index (cost independent of
 * the number of matches); below it the matches are fetched and sorted (cheaper when they are few).
 */
const DENSE_MATCHES = 3_000;

/** A stable id from the customer number: the same customer keeps it across re-imports and stations. */
export function customerIdFor(customerKey: string): string {
  return `cu_${crypto.createHash('sha256').update(customerKey).digest('hex').slice(0, 24)}`;
}

/** Words indexed for a number: the whole number (letters and digits only) and each run of digits, for "…BG0012345" by its serial. */
function numberIndexWords(value: string | null): string[] {
  if (!value) return [];
  const key = numberKey(value).toLowerCase();
  const parts = new Set([key, ...foldWords(value), ...(key.match(/\d+/g) ?? [])]);
  return [...parts];
}

function indexText(fields: CustomerFields): { names: string; numbers: string; dates: string } {
  return {
    names: [...nameIndexWords(fields.familyName), ...foldWords(fields.givenNames)].join(' '),
    numbers: [...numberIndexWords(fields.customerNumber), ...numberIndexWords(fields.bgNumber)].join(' '),
    dates: birthDateIndexWords(fields.birthDate).join(' '),
  };
}

function sameFields(row: CustomerRow, fields: CustomerFields): boolean {
  return (
    row.customer_number === fields.customerNumber &&
    row.bg_number === fields.bgNumber &&
    row.family_name === fields.familyName &&
    row.given_names === fields.givenNames &&
    row.birth_date === fields.birthDate &&
    row.street === fields.street &&
    row.postal_code === fields.postalCode &&
    row.city === fields.city
  );
}

export class CustomerRepository {
  constructor(private readonly db: Db) {}

  get(id: string): CustomerRow | undefined {
    return statement(this.db, 'SELECT * FROM customers WHERE id = ? AND deleted = 0').get(id) as CustomerRow | undefined;
  }

  byCustomerKey(key: string): CustomerRow | undefined {
    return statement(this.db, 'SELECT * FROM customers WHERE customer_key = ? AND deleted = 0').get(key) as CustomerRow | undefined;
  }

  byBgKey(key: string): CustomerRow[] {
    return statement(this.db, 'SELECT * FROM customers WHERE bg_key = ? AND deleted = 0 ORDER BY sort_key').all(key) as CustomerRow[];
  }

  count(): number {
    return (statement(this.db, 'SELECT count(*) AS n FROM customers WHERE deleted = 0').get() as { n: number }).n;
  }

  /** Inserts or updates by customer number (a deleted customer comes back). Call inside a transaction. */
  upsert(fields: CustomerFields, source: CustomerSource, now: string): UpsertOutcome {
    const key = numberKey(fields.customerNumber);
    const existing = statement(this.db, 'SELECT * FROM customers WHERE customer_key = ?').get(key) as CustomerRow | undefined;
    if (existing && !existing.deleted && sameFields(existing, fields)) return 'unchanged';
    const bgKey = fields.bgNumber ? numberKey(fields.bgNumber) : null;
    const sort = sortKey(fields.familyName, fields.givenNames);
    let seq: number;
    if (existing) {
      const rank = existing.rank_key.startsWith('0') ? existing.rank_key : nameRank(sort);
      statement(
        this.db,
        `UPDATE customers SET customer_number = ?, bg_number = ?, bg_key = ?, family_name = ?, given_names = ?, birth_date = ?,
           street = ?, postal_code = ?, city = ?, source = ?, sort_key = ?, rank_key = ?, updated_at = ?, deleted = 0 WHERE seq = ?`,
      ).run(fields.customerNumber, fields.bgNumber, bgKey, fields.familyName, fields.givenNames, fields.birthDate, fields.street, fields.postalCode, fields.city, source, sort, rank, now, existing.seq);
      // A deleted customer is not in the index any more.
      if (!existing.deleted) statement(this.db, 'DELETE FROM customers_fts WHERE rowid = ?').run(existing.seq);
      seq = existing.seq;
    } else {
      seq = Number(
        statement(
          this.db,
          `INSERT INTO customers (id, customer_number, customer_key, bg_number, bg_key, family_name, given_names, birth_date,
             street, postal_code, city, source, sort_key, rank_key, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(customerIdFor(key), fields.customerNumber, key, fields.bgNumber, bgKey, fields.familyName, fields.givenNames, fields.birthDate, fields.street, fields.postalCode, fields.city, source, sort, nameRank(sort), now).lastInsertRowid,
      );
    }
    const index = indexText(fields);
    statement(this.db, 'INSERT INTO customers_fts (rowid, names, numbers, dates) VALUES (?, ?, ?, ?)').run(seq, index.names, index.numbers, index.dates);
    return existing && !existing.deleted ? 'updated' : 'inserted';
  }

  /** The source says the customer is gone: kept as a row (documents may point at it), out of search. */
  markDeleted(customerNumber: string, now: string): boolean {
    const row = statement(this.db, 'SELECT seq, deleted FROM customers WHERE customer_key = ?').get(numberKey(customerNumber)) as { seq: number; deleted: number } | undefined;
    if (!row || row.deleted) return false;
    statement(this.db, 'UPDATE customers SET deleted = 1, updated_at = ? WHERE seq = ?').run(now, row.seq);
    statement(this.db, 'DELETE FROM customers_fts WHERE rowid = ?').run(row.seq);
    return true;
  }

  markUsed(id: string, now: Date): boolean {
    return statement(this.db, 'UPDATE customers SET last_used_at = ?, rank_key = ? WHERE id = ? AND deleted = 0').run(now.toISOString(), recentRank(now.getTime()), id).changes > 0;
  }

  /** Customers last used before `cutoffMs` go back into name order. Returns how many. */
  demoteBefore(cutoffMs: number): number {
    return statement(this.db, `UPDATE customers SET rank_key = '1' || sort_key WHERE deleted = 0 AND rank_key > ? AND rank_key < '1'`).run(recentRank(cutoffMs)).changes;
  }

  /**
   * Customers matching an FTS5 expression, best first: an exact customer or BG number, then the
   * recently used, then by name. `exactKey` is the whole query as a number key ('' for none).
   */
  search(match: string, exactKey: string, limit: number): CustomerRow[] {
    const exact = exactKey
      ? (statement(this.db, 'SELECT * FROM customers WHERE deleted = 0 AND (customer_key = @key OR bg_key = @key) ORDER BY customer_key = @key DESC, rank_key LIMIT @limit').all({ key: exactKey, limit }) as CustomerRow[])
      : [];
    const matches = (statement(this.db, 'SELECT count(*) AS n FROM (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? LIMIT ?)').get(match, DENSE_MATCHES) as { n: number }).n;
    const wanted = limit + exact.length;
    // Only the seq travels through the sort: the whole rows are read for the one page shown.
    const order = (
      matches >= DENSE_MATCHES
        ? statement(
            this.db,
            `SELECT c.seq FROM customers c INDEXED BY customers_rank
             WHERE c.deleted = 0 AND c.seq IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)
             ORDER BY c.rank_key LIMIT ?`,
          )
        : statement(
            this.db,
            `SELECT c.seq FROM customers_fts JOIN customers c ON c.seq = customers_fts.rowid
             WHERE customers_fts MATCH ? AND c.deleted = 0 ORDER BY c.rank_key LIMIT ?`,
          )
    )
      .pluck()
      .all(match, wanted) as number[];
    const bySeq = new Map<number, CustomerRow>();
    if (order.length) {
      for (const row of statement(this.db, 'SELECT * FROM customers WHERE seq IN (SELECT value FROM json_each(?))').all(JSON.stringify(order)) as CustomerRow[]) bySeq.set(row.seq, row);
    }
    const ranked = order.map((seq) => bySeq.get(seq)!).filter(Boolean);
    const seen = new Set(exact.map((row) => row.seq));
    return [...exact, ...ranked.filter((row) => !seen.has(row.seq))].slice(0, limit);
  }

  /** No query: the recently used first, then everyone by name. */
  recent(limit: number): CustomerRow[] {
    return statement(this.db, 'SELECT * FROM customers INDEXED BY customers_rank WHERE deleted = 0 ORDER BY rank_key LIMIT ?').all(limit) as CustomerRow[];
  }

  getState(key: string): string | undefined {
    return (statement(this.db, 'SELECT value FROM customer_directory WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setState(key: string, value: string | null): void {
    if (value === null) statement(this.db, 'DELETE FROM customer_directory WHERE key = ?').run(key);
    else statement(this.db, 'INSERT INTO customer_directory (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
