/**
 * The one choke point every UI call passes (IPC, HTTP, tests): unknown names, strict input parsing
 * that names the bad field, handler errors mapped to stable codes, station faults hidden.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dispatch, isOperationName } from '../main/api/dispatch.js';
import { parseConfig } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';

let root: string;
let station: Station;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-dispatch-'));
  station = createStation({ dataDir: path.join(root, 'data'), config: parseConfig({ stationId: 'dispatch-test', imaging: { workers: 1 } }, 'test'), watch: false });
  await station.start();
});

afterAll(async () => {
  await station?.stop().catch(() => undefined);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('dispatch', () => {
  it('answers a known operation with { ok: true, value }', async () => {
    const result = await dispatch({ station, actor: 'tester' }, 'getStatus', {});
    expect(result.ok).toBe(true);
    expect(result.ok && (result.value as { stationId: string }).stationId).toBe('dispatch-test');
  });

  it('refuses names that are not operations, including object-prototype names', async () => {
    for (const name of ['dropDatabase', '__proto__', 'constructor', 'hasOwnProperty', 'toString', '', 42, null, undefined, { toString: () => 'getStatus' }, ['getStatus']]) {
      const result = await dispatch({ station, actor: 'tester' }, name, {});
      expect(result, String(name)).toMatchObject({ ok: false, code: 'unknown_operation' });
      expect(isOperationName(name)).toBe(false);
    }
  });

  it('parses input strictly and names the offending field', async () => {
    const wrongType = await dispatch({ station, actor: 'tester' }, 'listDocuments', { limit: 'many' });
    expect(wrongType).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(!wrongType.ok && wrongType.message).toMatch(/^listDocuments: limit: /);
    const unknownKey = await dispatch({ station, actor: 'tester' }, 'getStatus', { extra: 1 });
    expect(!unknownKey.ok && unknownKey.message).toContain('extra');
    const badId = await dispatch({ station, actor: 'tester' }, 'getDocument', { id: '../../etc/passwd' });
    expect(badId).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(!badId.ok && badId.message).toContain('id');
    for (const payload of ['{}', 7, [], true]) {
      expect(await dispatch({ station, actor: 'tester' }, 'getStatus', payload), JSON.stringify(payload)).toMatchObject({ ok: false, code: 'invalid_input' });
    }
  });

  it("maps a handler's ApiError to its code and message", async () => {
    const result = await dispatch({ station, actor: 'tester' }, 'getDocument', { id: 'no-such-document' });
    expect(result).toMatchObject({ ok: false, code: 'not_found' });
    expect(!result.ok && result.message).toContain('no-such-document');
  });

  it('reports any other failure as "internal" without its details, and tells the station log', async () => {
    const problems: string[] = [];
    station.on('problem', (p) => problems.push(p.message));
    // A real fault: the database is gone under the handler.
    station.store.db.close();
    const result = await dispatch({ station, actor: 'tester' }, 'getStatus', {});
    expect(result).toMatchObject({ ok: false, code: 'internal' });
    expect(!result.ok && result.message).not.toMatch(/database|sqlite|connection/i);
    expect(problems.some((m) => m.startsWith('getStatus failed:'))).toBe(true);
  });
});
