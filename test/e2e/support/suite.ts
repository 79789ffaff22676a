/**
 * The set-up every browser test file repeats: one Chromium per file, stations started through it
 * and stopped at the end (also when a test fails half-way), pages opened on a station's tokened
 * address. Plus small waits that read the page the way staff see it, so no test reads a value once
 * right after something that may still change.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openStation, type OpenedPage } from './browser.js';
import { startBrowserStation, type BrowserStation, type BrowserStationOptions } from './station.js';

export interface BrowserSuite {
  /** The file's browser (launched in beforeAll). */
  readonly browser: Browser;
  /** Starts a station for this file; it is stopped in afterAll. */
  station: (options?: BrowserStationOptions) => Promise<BrowserStation>;
  /** A fresh context on the station's tokened address (German unless told). */
  open: (station: BrowserStation, options?: Parameters<typeof openStation>[2]) => Promise<OpenedPage>;
}

/** Registers beforeAll/afterAll for a browser test file. */
export function browserSuite(): BrowserSuite {
  let browser: Browser | undefined;
  const stations: BrowserStation[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    for (const station of stations.splice(0)) await station.stop();
  });
  return {
    get browser() {
      if (!browser) throw new Error('The browser is launched in beforeAll; use it inside a hook or test');
      return browser;
    },
    station: async (options) => {
      const station = await startBrowserStation(options);
      stations.push(station);
      return station;
    },
    open: (station, options) => {
      if (!browser) throw new Error('The browser is launched in beforeAll; use it inside a hook or test');
      return openStation(browser, station.url, options);
    },
  };
}

/** Waits until the focused element has `attribute` (the keyboard's place after an action). */
export async function expectFocusOn(page: Page, attribute: string, value?: string): Promise<void> {
  await expect
    .poll(() => page.evaluate(([name, wanted]) => {
      const el = document.activeElement;
      if (!el || !el.hasAttribute(name!)) return false;
      return wanted === undefined || el.getAttribute(name!) === wanted;
    }, [attribute, value] as const), { timeout: 10_000, message: `focus on [${attribute}${value === undefined ? '' : `="${value}"`}]` })
    .toBe(true);
}

/** The focused element shows a visible focus ring (outline or box-shadow in the focus colour). */
export async function focusRingVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return false;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    return outline || style.boxShadow !== 'none';
  });
}

/** Imports customers the way the Kunden screen does (same operation, same session). */
export async function importCustomers(page: Page, csv: string): Promise<void> {
  const imported = await page.evaluate(async (text) => {
    const bytes = new TextEncoder().encode(text);
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    const response = await fetch('/api/importCustomersCsv', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ fileName: 'kunden.csv', contentBase64: btoa(binary) }),
    });
    return response.json();
  }, csv);
  expect(imported.ok, JSON.stringify(imported)).toBe(true);
}

/** Calls one station operation from the page (the UI's own way in), for set-up steps the test is not about. */
export async function callFromPage<T = unknown>(page: Page, operation: string, input: unknown): Promise<T> {
  const answer = await page.evaluate(
    async ([op, body]) => {
      const response = await fetch(`/api/${op}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, credentials: 'same-origin', body: JSON.stringify(body) });
      return response.json();
    },
    [operation, input] as const,
  );
  expect(answer.ok, JSON.stringify(answer)).toBe(true);
  return answer.value as T;
}
