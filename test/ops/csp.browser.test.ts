/**
 * The Content-Security-Policy in a real browser: the demo portal and the console run without a single CSP
 * violation, and the widget still works when another site embeds it with <script src>.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webChannel } from '../../channels/web/index.ts';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let browser: Browser;
let other: Server;
let otherUrl: string;

beforeAll(async () => {
  server = await startTestServer({ channels: [webChannel] });
  // Another origin (another host name and port) with a page that embeds the widget the documented way.
  const widgetSrc = `${server.url.replace('127.0.0.1', 'localhost')}/widget.js`;
  other = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>某区政务网</title></head>
<body><h1>某区政务服务网</h1><script src="${widgetSrc}" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (other ? other.close(() => resolve()) : resolve()));
  await server?.stop();
});

/** Records CSP violations (the event and the console message Chromium prints for each). */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return seen;
}

async function askInWidget(page: Page, text: string): Promise<string> {
  const bubbles = page.locator('.msg.bot .bubble');
  const before = await bubbles.count();
  const box = page.getByRole('textbox', { name: '输入您的问题' });
  await box.fill(text);
  await box.press('Enter');
  await eventually(async () => ((await bubbles.count()) > before ? true : undefined), 15_000, `an answer to ${text}`);
  return (await bubbles.last().textContent()) ?? '';
}

describe('Content-Security-Policy in a browser', () => {
  it('the demo portal: language switch, search box and the widget work with no violation', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations = await watchViolations(page);
    await page.goto(server.url);
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByRole('button', { name: '中文' }).click();
    // The search form opens the widget (its handler now lives in /portal.js).
    await page.getByRole('button', { name: '搜索' }).click();
    await page.getByRole('dialog').waitFor();
    expect(await askInWidget(page, '居住证怎么办理')).toContain('居住证');
    expect(violations).toEqual([]);
    await context.close();
  });

  it('blocks an injected inline script (and the watcher sees it)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations = await watchViolations(page);
    await page.goto(server.url);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = 1';
      document.body.append(s);
    });
    await eventually(() => (violations.length > 0 ? true : undefined), 5000, 'a CSP violation');
    expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
    await context.close();
  });

  it('the console page loads its bundle with no violation', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations = await watchViolations(page);
    await page.goto(`${server.url}/console`);
    await eventually(async () => ((await page.locator('#app .boot').count()) === 0 ? true : undefined), 30_000, 'the console to start');
    expect(violations).toEqual([]);
    await context.close();
  });

  it('another site embeds the widget with <script src> and gets answers', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
    await page.goto(otherUrl);
    await page.getByRole('button', { name: /打开在线咨询/ }).click();
    await page.getByRole('dialog').waitFor();
    expect(await askInWidget(page, '居住证怎么办理')).toContain('居住证');
    expect(failed).toEqual([]);
    await context.close();
  });
});
