/**
 * Every code a send can fail with, and every code the Electron channel to the core answers with, has
 * a German and an English text. The codes are read from the sources, so a new code without strings
 * fails here; HTTP status codes are produced by the real statusError().
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { errorStrings, sendErrorKey } from '../renderer/src/i18n/error-strings.js';
import { classifyNetworkError, statusError } from '../main/upload/targets/http.js';
import { projectRoot } from './support/station-process.js';

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(projectRoot, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(path.join(projectRoot, dir, f), 'utf8'));
}

function lookup(tree: Record<string, unknown>, key: string): unknown {
  return key.split('.').slice(1).reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
}

describe('error strings for sending', () => {
  const languages = [errorStrings.de, errorStrings.en] as Record<string, unknown>[];

  it('covers every SendError code in German and English, HTTP statuses included', () => {
    const codes = new Set(sources('main/upload').flatMap((text) => [...text.matchAll(/new SendError\('([a-z0-9_]+)'/g)].map((m) => m[1]!)));
    for (const errno of ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EHOSTUNREACH', 'EPROXY', 'EOTHER']) codes.add(classifyNetworkError({ code: errno }, false).code);
    codes.add(classifyNetworkError({ name: 'AbortError' }, true).code);
    expect(codes.size).toBeGreaterThan(20);
    for (const language of languages) {
      for (const code of codes) {
        const { key } = sendErrorKey(code, (k) => typeof lookup(language, k) === 'string');
        expect(key, code).toBe(`errors.send.${code}`);
      }
      for (const status of [400, 401, 403, 404, 408, 409, 413, 418, 429, 500, 502, 503, 504, 507]) {
        const { code } = statusError(status, null, 'server');
        const { key, values } = sendErrorKey(code, (k) => typeof lookup(language, k) === 'string');
        expect(typeof lookup(language, key), `${status} → ${code}`).toBe('string');
        if (key.endsWith('http_other')) expect(values).toEqual({ status: String(status) });
      }
    }
  });

  it('covers the codes the Electron window channel answers with', () => {
    const codes = new Set(sources('main/electron').flatMap((text) => [...text.matchAll(/\bcode: '([a-z_]+)'/g)].map((m) => m[1]!)));
    for (const code of ['core_unavailable', 'timeout', 'forbidden']) expect(codes.has(code), code).toBe(true);
    for (const language of languages) for (const code of codes) expect(typeof language[code], code).toBe('string');
  });

  it('has the same keys in both languages', () => {
    const keys = (tree: Record<string, unknown>, prefix = ''): string[] =>
      Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v as Record<string, unknown>, `${prefix}${k}.`))).sort();
    expect(keys(errorStrings.en)).toEqual(keys(errorStrings.de));
  });
});
