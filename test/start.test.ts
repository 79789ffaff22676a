/**
 * `npm start` as a user runs it, on a machine without the Electron binary: browser mode in a child
 * process, the tokened address on a line of its own, the address works, SIGTERM stops it cleanly.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parsePort } from '../main/start.js';
import { electronBinaryPath } from '../main/electron/locate.js';
import { browserCommand } from '../main/web/open-browser.js';
import { projectRoot, waitFor } from './support/station-process.js';
import { request } from './support/http.js';

/** The command line of the `start` script, as npm would run it. */
function startCommand(): string[] {
  const scripts = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).scripts as Record<string, string>;
  const words = scripts.start!.split(/\s+/);
  expect(words[0]).toBe('node');
  return words.slice(1);
}

function runStart(args: string[], env: Record<string, string> = {}) {
  // No Electron binary (whatever this machine has): browser mode is what is under test.
  const child = spawn(process.execPath, [...startCommand(), ...args], {
    cwd: projectRoot,
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: path.join(os.tmpdir(), 'no-electron-here'), DISPLAY: '', WAYLAND_DISPLAY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

describe('npm start (browser mode)', () => {
  it('prints the tokened URL on its own line, serves it, and stops on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-start-'));
    const run = runStart(['--no-open', '--data-dir', dataDir, '--port', '0']);
    try {
      const urlLine = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})$/m;
      await waitFor(() => urlLine.test(run.stdout()), 60_000, `the URL line (output so far: ${run.stdout()}${run.stderr()})`);
      const [, portText, token] = urlLine.exec(run.stdout())!;
      const port = Number(portText);

      const login = await request(port, `/?token=${token}`);
      expect(login.status).toBe(303);
      const cookie = String(login.headers['set-cookie']?.[0]).split(';')[0]!;
      const page = await request(port, '/', { headers: { Cookie: cookie } });
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      const status = await request(port, '/api/getStatus', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: '{}' });
      expect(status.json()).toMatchObject({ ok: true, value: { hotFolders: [{ path: path.join(dataDir, 'inbox'), watching: true }] } });
      expect((await request(port, '/api/getStatus', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(401);

      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      // Stopped cleanly: the data folder's lock is released, so the next start can take it.
      expect(fs.existsSync(path.join(dataDir, 'station.lock'))).toBe(false);
    } finally {
      run.child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('says so when the chosen port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-start-busy-'));
    try {
      const run = runStart(['--no-open', '--data-dir', dataDir, '--port', String((blocker.address() as net.AddressInfo).port)]);
      expect(await run.exited).toBe(2);
      expect(run.stderr()).toMatch(/is in use/);
      expect(fs.existsSync(path.join(dataDir, 'station.lock'))).toBe(false);
    } finally {
      blocker.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a bad --port with a message naming it', async () => {
    const run = runStart(['--no-open', '--port', '99999', '--data-dir', path.join(os.tmpdir(), 'intake-start-unused')]);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain('--port');
  });
});

describe('start helpers', () => {
  it('parses --port', () => {
    expect(parsePort(undefined)).toBe(0);
    expect(parsePort('8080')).toBe(8080);
    for (const bad of ['-1', '65536', '80a', '', ' 80', true, '1e3']) expect(() => parsePort(bad), String(bad)).toThrow(/--port/);
  });

  it('finds the Electron binary only where it really is', () => {
    // A package folder as Electron's install script leaves it: path.txt naming dist/<executable>.
    const packageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-electron-'));
    try {
      expect(electronBinaryPath({}, packageDir)).toBeNull();
      fs.writeFileSync(path.join(packageDir, 'path.txt'), 'electron');
      expect(electronBinaryPath({}, packageDir)).toBeNull();
      fs.mkdirSync(path.join(packageDir, 'dist'));
      fs.writeFileSync(path.join(packageDir, 'dist', 'electron'), '');
      expect(electronBinaryPath({}, packageDir)).toBe(path.join(packageDir, 'dist', 'electron'));
      expect(electronBinaryPath({ ELECTRON_OVERRIDE_DIST_PATH: path.join(packageDir, 'elsewhere') }, packageDir)).toBeNull();
      expect(electronBinaryPath({}, null)).toBeNull();
    } finally {
      fs.rmSync(packageDir, { recursive: true, force: true });
    }
  });

  it('opens a browser only for our own tokened address, and never without a display on Linux', () => {
    const url = 'http://127.0.0.1:4000/?token=abc_DEF-123';
    expect(browserCommand(url, 'linux', { DISPLAY: ':0' })).toEqual(['xdg-open', [url]]);
    expect(browserCommand(url, 'linux', {})).toBeNull();
    expect(browserCommand(url, 'darwin', {})).toEqual(['open', [url]]);
    expect(browserCommand(url, 'win32', {})?.[0]).toBe('cmd');
    for (const bad of ['http://127.0.0.1:4000/?token=a&calc.exe', 'file:///etc/passwd', 'http://evil.example/?token=a', `${url}" & calc`]) {
      expect(browserCommand(bad, 'win32', {}), bad).toBeNull();
    }
  });
});
