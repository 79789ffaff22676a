/**
 * Browser mode's defences in a real browser (Debian's Chromium) against the real station child:
 * the CSP stops inline script and eval, the token never stays in the address bar or reaches
 * script, a page without the token or from another origin (even another port on this machine,
 * which shares the cookie's site) is refused, and oversized or malformed calls are refused with
 * an error and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserStation } from './support/station.js';
import { browserSuite } from './support/suite.js';

const suite = browserSuite();
let station: BrowserStation;
let evil: http.Server;
let evilOrigin: string;

beforeAll(async () => {
  station = await suite.station();
  // Another site on this machine: a page on another loopback port, as malware or a dev server could run.
  evil = http.createServer((request, response) => {
    if (request.url === '/attack.js') {
      response.writeHead(200, { 'Content-Type': 'text/javascript' });
      response.end(`
        const target = ${JSON.stringify(station.origin)};
        window.attacks = Promise.allSettled([
          fetch(target + '/api/getStatus', { method: 'POST', credentials: 'include', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{}' }),
          fetch(target + '/api/listDocuments', { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: '{}' }),
        ]).then((results) => results.map((r) => r.status));
      `);
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end('<!doctype html><title>elsewhere</title><script src="/attack.js"></script>');
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => evil?.close(resolve));
});

describe('browser mode security (browser)', () => {
  it('drops the token from the address bar, keeps the cookie from script, and runs no inline script or eval', async () => {
    const { page, context } = await suite.open(station);
    try {
      expect(page.url()).toBe(`${station.origin}/`);
      expect(await page.evaluate(() => document.cookie)).toBe('');
      const cookies = await context.cookies(station.origin);
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

      const outcome = await page.evaluate(async () => {
        const violations: string[] = [];
        document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
        const w = window as unknown as Record<string, unknown>;
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true;';
        document.body.appendChild(script);
        const img = document.createElement('img');
        img.setAttribute('onerror', 'window.handlerRan = true');
        img.src = 'data:,not-an-image';
        document.body.appendChild(img);
        // String code runs later in the page itself (an evaluate() from the test is exempt from the CSP).
        setTimeout('window.timerStringRan = true', 0);
        const frame = document.createElement('iframe');
        frame.src = 'https://example.org/';
        document.body.appendChild(frame);
        // No fixed pause: the browser reports each blocked attempt (inline script, handler, string
        // timer, frame); once all four are reported, none of them can still run.
        const deadline = Date.now() + 10_000;
        while (violations.length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        return { inline: w.inlineRan === true, handler: w.handlerRan === true, evalRan: w.timerStringRan === true, violations };
      });
      expect(outcome.inline).toBe(false);
      expect(outcome.handler).toBe(false);
      expect(outcome.evalRan).toBe(false);
      expect(outcome.violations.filter((d) => d.startsWith('script-src')).length).toBeGreaterThanOrEqual(3);
    } finally {
      await context.close();
    }
  });

  it('refuses a browser without the token', async () => {
    const context = await suite.browser.newContext();
    try {
      const page = await context.newPage();
      const plain = await page.goto(`${station.origin}/`);
      expect(plain?.status()).toBe(401);
      const wrong = await page.goto(`${station.origin}/?token=${'A'.repeat(43)}`);
      expect(wrong?.status()).toBe(401);
      expect(await context.cookies(station.origin)).toHaveLength(0);
    } finally {
      await context.close();
    }
  });

  it('refuses calls from another origin, even with the cookie in the same browser', async () => {
    const { context } = await suite.open(station);
    try {
      const page = await context.newPage();
      // The browser hides blocked responses from the page (and from Playwright's response events);
      // the DevTools protocol still shows what the station answered.
      // ExtraInfo may arrive before requestWillBeSent: keep both and join them at the end.
      const answered = new Map<string, number>();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      const toStation = new Set<string>();
      cdp.on('Network.requestWillBeSent', (event) => {
        if (event.request.url.startsWith(`${station.origin}/`)) toStation.add(event.requestId);
      });
      cdp.on('Network.responseReceivedExtraInfo', (event) => {
        answered.set(event.requestId, event.statusCode);
      });
      const statuses = () => [...toStation].filter((id) => answered.has(id)).map((id) => answered.get(id)!);
      await page.goto(`${evilOrigin}/`);
      const results = await page.evaluate(() => (window as unknown as { attacks: Promise<string[]> }).attacks);
      // The station answers 403; the browser then fails both calls (Cross-Origin-Resource-Policy, CORS).
      expect(results).toEqual(['rejected', 'rejected']);
      // DevTools reports the answers on its own schedule, possibly after the page saw the failures.
      await expect.poll(() => statuses().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(statuses().every((status) => status === 403)).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('refuses oversized and malformed calls with an error, and changes nothing', async () => {
    const { page, context } = await suite.open(station);
    try {
      const state = () =>
        page.evaluate(async () => {
          const call = (op: string, body: unknown) =>
            fetch(`/api/${op}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
          return JSON.stringify([await call('getStatus', {}), await call('listDocuments', { limit: 1000 })]);
        });
      const before = await state();
      const refused = await page.evaluate(async () => {
        const send = async (body: string, type = 'application/json') => {
          const response = await fetch('/api/listDocuments', { method: 'POST', headers: { 'Content-Type': type }, body });
          return { status: response.status, body: await response.json() };
        };
        return {
          oversized: await send(JSON.stringify({ limit: 1, padding: 'x'.repeat(2 * 1024 * 1024) })),
          malformed: await send('{"limit": 1,'),
          wrongShape: await send(JSON.stringify({ limit: -5, states: ['nonsense'] })),
          notJson: await send('limit=1', 'application/x-www-form-urlencoded'),
        };
      });
      expect(refused.oversized).toMatchObject({ status: 413, body: { ok: false, code: 'payload_too_large' } });
      expect(refused.malformed).toMatchObject({ status: 400, body: { ok: false, code: 'bad_json' } });
      expect(refused.wrongShape).toMatchObject({ status: 400, body: { ok: false, code: 'invalid_input' } });
      expect(refused.wrongShape.body.message).toMatch(/limit|states/);
      expect(refused.notJson).toMatchObject({ status: 400, body: { ok: false } });
      expect(await state()).toBe(before);
    } finally {
      await context.close();
    }
  });
});
