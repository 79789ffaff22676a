/**
 * The desktop shell without the Electron binary: its security settings and handlers are plain
 * functions (checked with hostile input), the app:// protocol and the IPC checks run against a
 * real station, and the bundled core process answers the real message protocol.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { dispatch } from '../main/api/dispatch.js';
import { serveResource } from '../main/api/resources.js';
import { parseConfig, profileSchema } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';
import { createAppProtocolHandler } from '../main/electron/app-protocol.js';
import { bundleMain } from '../main/electron/bundle.js';
import { CoreClient, type CoreChild } from '../main/electron/core-client.js';
import { createCoreHandler } from '../main/electron/core-process.js';
import type { CoreMessage } from '../main/electron/core-protocol.js';
import { checkCallRequest, handleCall, MAX_PAYLOAD_CHARS } from '../main/electron/ipc.js';
import {
  APP_SCHEME_PRIVILEGES,
  CONTENT_SECURITY_POLICY,
  hasForbiddenSwitch,
  isAllowedNavigation,
  permissionCheckHandler,
  permissionRequestHandler,
  resolveAppRequest,
  secureWebPreferences,
  validateSender,
  windowOpenHandler,
} from '../main/electron/security.js';
import { fitWindowState, loadWindowState, parseWindowState, saveWindowState, windowStateFile, MIN_WIDTH } from '../main/electron/window-state.js';
import { renderPageFile } from './fixtures/pages.js';
import { projectRoot, waitFor } from './support/station-process.js';

let root: string;
let station: Station;
const actor = 'tester';

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-electron-'));
  station = createStation({ dataDir: path.join(root, 'data'), config: parseConfig({ stationId: 'electron-test', imaging: { workers: 1 } }, 'test'), watch: false });
  await station.start();
});

afterAll(async () => {
  await station?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('window settings', () => {
  it('isolates and sandboxes the renderer, with no Node and no webviews', () => {
    const prefs = secureWebPreferences('/app/dist/preload/index.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/dist/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      devTools: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(secureWebPreferences('/p', { devTools: true }).devTools).toBe(true);
  });

  it('has a strict CSP: own files only, no inline script, no eval, no objects, no framing', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'blob:', 'data:']);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval|hashes)|wasm-unsafe|\*/);
  });

  it('registers app:// as standard and secure, without bypassing the CSP', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true, bypassCSP: false } });
  });

  it('denies every navigation, new window and permission', () => {
    for (const url of ['app://station/index.html', 'https://example.org', 'file:///etc/passwd', 'javascript:alert(1)', '', undefined, null, {}]) {
      expect(isAllowedNavigation(url)).toBe(false);
      expect(windowOpenHandler({ url })).toEqual({ action: 'deny' });
    }
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'unknown']) {
      let granted: boolean | undefined;
      permissionRequestHandler({}, permission, (answer) => (granted = answer));
      expect(granted, permission).toBe(false);
    }
    expect(permissionCheckHandler()).toBe(false);
  });

  it('refuses inspect and sandbox-disabling switches', () => {
    expect(hasForbiddenSwitch(['/opt/app', '--inspect=9229'])).toBe(true);
    expect(hasForbiddenSwitch(['/opt/app', '--remote-debugging-port=9222'])).toBe(true);
    expect(hasForbiddenSwitch(['/opt/app', '--no-sandbox'])).toBe(true);
    expect(hasForbiddenSwitch(['/opt/app', '--data-dir', '/x', 42, null])).toBe(false);
  });
});

describe('IPC', () => {
  it('accepts calls only from the app\'s own top frame', () => {
    expect(validateSender({ url: 'app://station/index.html', parent: null })).toBe(true);
    expect(validateSender({ url: 'app://station/', parent: null })).toBe(true);
    for (const frame of [
      { url: 'app://station/index.html', parent: { url: 'app://station/index.html' } },
      { url: 'app://evil/index.html', parent: null },
      { url: 'app://station.evil/index.html', parent: null },
      { url: 'app://user@station/index.html', parent: null },
      { url: 'app://station:8080/index.html', parent: null },
      { url: 'https://station/index.html', parent: null },
      { url: 'http://127.0.0.1:3000/', parent: null },
      { url: 'file:///app/dist/renderer/index.html', parent: null },
      { url: 'about:blank', parent: null },
      { url: 'devtools://devtools/bundled/inspector.html', parent: null },
      { url: ['app://station/'], parent: null },
      { parent: null },
      'app://station/index.html',
      null,
      undefined,
    ]) {
      expect(validateSender(frame), JSON.stringify(frame)).toBe(false);
    }
  });

  it('checks the call shape, the operation name and the payload against the contract', () => {
    expect(checkCallRequest({ name: 'getStatus', payload: {} })).toMatchObject({ ok: true, name: 'getStatus' });
    expect(checkCallRequest({ name: 'getStatus' })).toMatchObject({ ok: true, payload: {} });
    const refused = (request: unknown) => {
      const check = checkCallRequest(request);
      return check.ok ? 'accepted' : check.result.ok ? 'ok?' : check.result.code;
    };
    expect(refused(null)).toBe('invalid_request');
    expect(refused('getStatus')).toBe('invalid_request');
    expect(refused({ name: 'getStatus', payload: {}, extra: 1 })).toBe('invalid_request');
    expect(refused({ name: 42 })).toBe('invalid_request');
    expect(refused({ name: 'get-status' })).toBe('invalid_request');
    for (const name of ['dropDatabase', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) expect(refused({ name }), name).toBe('unknown_operation');
    expect(refused({ name: 'listDocuments', payload: { limit: 'all' } })).toBe('invalid_input');
    const named = checkCallRequest({ name: 'listDocuments', payload: { limit: 'all' } });
    expect(!named.ok && !named.result.ok && named.result.message).toContain('limit');
    expect(refused({ name: 'getStatus', payload: { sneaky: 1 } })).toBe('invalid_input');
    expect(refused({ name: 'getStatus', payload: { pad: 'x'.repeat(MAX_PAYLOAD_CHARS) } })).toBe('payload_too_large');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(refused({ name: 'getStatus', payload: cyclic })).toBe('invalid_input');
    expect(refused({ name: 'getStatus', payload: 10n })).toBe('invalid_input');
  });

  it('forwards a checked call to the core, and nothing from a foreign frame', async () => {
    let calls = 0;
    const core = {
      call: (name: string, payload: unknown) => {
        calls++;
        return dispatch({ station, actor }, name, payload);
      },
    };
    const good = await handleCall({ senderFrame: { url: 'app://station/index.html', parent: null } as never }, { name: 'getStatus', payload: {} }, core);
    expect(good).toMatchObject({ ok: true, value: { stationId: 'electron-test' } });
    expect(calls).toBe(1);
    const foreign = await handleCall({ senderFrame: { url: 'https://evil.example/', parent: null } as never }, { name: 'getStatus', payload: {} }, core);
    expect(foreign).toMatchObject({ ok: false, code: 'forbidden' });
    const gone = await handleCall({ senderFrame: null as never }, { name: 'getStatus', payload: {} }, core);
    expect(gone).toMatchObject({ ok: false, code: 'forbidden' });
    expect(calls).toBe(1);
  });
});

describe('app:// protocol', () => {
  it('serves the renderer and resources with the CSP, and nothing else', async () => {
    const rendererDir = path.join(root, 'renderer');
    fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>ui</title>');
    fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'export {}');
    fs.writeFileSync(path.join(root, 'secret.txt'), 'secret');
    const handler = createAppProtocolHandler({ rendererDir, resources: { resource: (p) => serveResource(station, p) } });
    expect(resolveAppRequest('app://station/index.html')).toEqual({ kind: 'static', pathname: '/index.html' });
    expect(resolveAppRequest('app://station/resource/page/p1/thumb')).toEqual({ kind: 'resource', pathname: '/resource/page/p1/thumb' });
    for (const url of ['app://evil/index.html', 'https://station/index.html', 'app://station:1/x', 'file:///etc/passwd', 42]) expect(resolveAppRequest(url), String(url)).toBeNull();

    const appHandler = (url: string, method = 'GET') => handler({ url, method } as Request);
    const index = await appHandler('app://station/index.html');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<title>ui</title>');
    expect((await appHandler('app://station/assets/app.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const url of ['app://station/../secret.txt', 'app://station/assets/%2e%2e/%2e%2e/secret.txt', 'app://station/assets/..%2f..%2fsecret.txt', 'app://other/index.html', 'app://station/resource/document/..%2fstation.db.pdf', 'app://station/resource/page/nope/thumb']) {
      const response = await appHandler(url);
      expect(response.status, url).toBe(404);
      expect(await response.text()).not.toContain('secret');
    }
    expect((await appHandler('app://station/index.html', 'POST')).status).toBe(405);
    expect((await appHandler('http://station/index.html')).status).toBe(404);

    // A processed page's thumbnail comes through the protocol as an image.
    const profile = profileSchema.parse({ grouping: { rule: 'per_file', quietWindowMs: 0 } });
    station.registerProfile('cli', profile);
    await station.ingest({ hotFolder: 'cli', profile, afterIngest: 'keep' }, await writeScan());
    await station.whenIdle();
    const page = station.store.db.prepare('SELECT id FROM pages LIMIT 1').get() as { id: string };
    const thumb = await appHandler(`app://station/resource/page/${page.id}/thumb`);
    expect(thumb.status).toBe(200);
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(240);
  });
});

async function writeScan() {
  const file = path.join(root, 'scan.jpg');
  fs.writeFileSync(file, await renderPageFile({ dpi: 100, seed: 11 }, 'jpeg'));
  const stat = fs.statSync(file);
  return { path: file, size: stat.size, mtimeMs: stat.mtimeMs };
}

describe('window state', () => {
  it('reads only a well-formed file, and brings a window from a missing display back on screen', () => {
    const file = windowStateFile(path.join(root, 'userData'));
    expect(loadWindowState(file)).toBeNull();
    const state = { bounds: { x: 100, y: 80, width: 1200, height: 800 }, maximized: true };
    saveWindowState(file, state);
    expect(loadWindowState(file)).toEqual(state);
    fs.writeFileSync(file, '{"bounds": {"x": 1');
    expect(loadWindowState(file)).toBeNull();
    for (const bad of [null, [], { bounds: { x: 0, y: 0, width: 1e9, height: 10 }, maximized: false }, { bounds: { x: 0.5, y: 0, width: 10, height: 10 }, maximized: false }, { bounds: { x: 0, y: 0, width: 10, height: 10 }, maximized: false, extra: 1 }, { __proto__: { bounds: 1 } }]) {
      expect(parseWindowState(bad)).toBeNull();
    }
    const screen = [{ x: 0, y: 0, width: 1920, height: 1040 }];
    expect(fitWindowState(state, screen)).toEqual(state);
    const offScreen = fitWindowState({ bounds: { x: 3000, y: 100, width: 1200, height: 800 }, maximized: false }, screen);
    expect(offScreen.bounds.x).toBeGreaterThanOrEqual(0);
    expect(offScreen.bounds.x + offScreen.bounds.width).toBeLessThanOrEqual(1920);
    expect(fitWindowState({ bounds: { x: 10, y: 10, width: 300, height: 200 }, maximized: false }, screen).bounds.width).toBe(MIN_WIDTH);
    expect(fitWindowState(null, []).bounds.width).toBeGreaterThanOrEqual(MIN_WIDTH);
  });
});

describe('core process', () => {
  it('answers calls and resources and forwards events (in-process message loop)', async () => {
    const posted: CoreMessage[] = [];
    const handler = createCoreHandler(station, actor, (m) => posted.push(m));
    try {
      await handler.handle({ id: 1, name: 'getStatus', payload: {} });
      await handler.handle({ id: 2, name: 'nope', payload: {} });
      await handler.handle({ id: 3, resource: '/resource/page/../../x/thumb' });
      await handler.handle({ id: 'x', name: 'getStatus' });
      await handler.handle(null);
      station.emit('ui', { type: 'customers-changed' });
      expect(posted).toEqual([
        { id: 1, result: expect.objectContaining({ ok: true }) },
        { id: 2, result: expect.objectContaining({ ok: false, code: 'unknown_operation' }) },
        { id: 3, resource: { status: 404 } },
        { event: { type: 'customers-changed' } },
      ]);
    } finally {
      handler.dispose();
    }
  });

  it('never leaves a call hanging: a silent core times out, a dead one answers core_unavailable', async () => {
    // A real child that reads messages and never answers (a hung core).
    const child = fork('-e', ['process.on("message", () => {}); setInterval(() => {}, 1000);'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const asChild: CoreChild = {
      postMessage: (message) => child.send(message as object),
      on: ((event: string, listener: (value: unknown) => void) => child.on(event, listener)) as CoreChild['on'],
      kill: () => child.kill(),
    };
    const core = new CoreClient(asChild, () => undefined, 300);
    try {
      expect(await core.call('getStatus', {})).toMatchObject({ ok: false, code: 'timeout' });
      expect(await core.resource('/resource/document/x.pdf')).toEqual({ status: 404 });
      const pending = core.call('getStatus', {});
      child.kill('SIGKILL');
      expect(await pending).toMatchObject({ ok: false, code: 'core_unavailable' });
      await expect(core.ready).rejects.toThrow(/stopped/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('runs bundled, as Electron would fork it, and stops cleanly on request', async () => {
    // Built into node_modules/.cache so the external packages resolve as they do from dist/.
    const outRoot = fs.mkdtempSync(path.join(projectRoot, 'node_modules', '.cache-intake-build-'));
    const dataDir = path.join(root, 'core-data');
    try {
      const files = await bundleMain(outRoot);
      for (const file of files) expect(fs.statSync(path.join(outRoot, file)).size, file).toBeGreaterThan(0);
      expect(fs.readFileSync(path.join(outRoot, 'preload/index.cjs'), 'utf8')).not.toMatch(/zod/i);
      const child = fork(path.join(outRoot, 'main/core-process.js'), ['--data-dir', dataDir, '--actor', 'tester'], {
        execArgv: ['--import', path.join(projectRoot, 'test/support/parent-port-shim.mjs')],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      let output = '';
      child.stdout!.on('data', (c) => (output += c));
      child.stderr!.on('data', (c) => (output += c));
      const asChild: CoreChild = {
        postMessage: (message) => child.send(message as object),
        // Electron's UtilityProcess passes the message itself, as child_process does.
        on: ((event: string, listener: (value: unknown) => void) => child.on(event, listener)) as CoreChild['on'],
        kill: () => child.kill(),
      };
      const events: unknown[] = [];
      const core = new CoreClient(asChild, (e) => events.push(e), 30_000);
      await core.ready;
      expect(await core.call('getStatus', {})).toMatchObject({ ok: true, value: { hotFolders: [{ path: path.join(dataDir, 'inbox') }] } });
      expect(await core.call('getDocument', { id: 'missing' })).toMatchObject({ ok: false, code: 'not_found' });
      expect(await core.resource('/resource/document/missing.pdf')).toEqual({ status: 404 });
      fs.writeFileSync(path.join(dataDir, 'inbox', 'scan.jpg'), await renderPageFile({ dpi: 100, seed: 12 }, 'jpeg'));
      await waitFor(() => events.some((e: any) => e.type === 'progress'), 30_000, `a progress event from the core (output: ${output})`);
      await core.stop();
      expect(child.exitCode).toBe(0);
      expect(fs.existsSync(path.join(dataDir, 'station.lock'))).toBe(false);
      expect(await core.call('getStatus', {})).toMatchObject({ ok: false, code: 'core_unavailable' });
    } finally {
      fs.rmSync(outRoot, { recursive: true, force: true });
    }
  });
});
