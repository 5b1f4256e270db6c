/** The widget in a real browser (Debian's Chromium driven by playwright-core) on the demo portal. */
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webChannel } from '../../channels/web/index.ts';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer({ channels: [webChannel] });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openPortal(page: Page): Promise<void> {
  await page.goto(server.url);
  await page.getByRole('button', { name: /打开在线咨询|Open the chat/ }).click();
  await page.getByRole('dialog').waitFor();
}

/** Types a question the way a citizen does and waits until one more bot message is shown. */
async function ask(page: Page, text: string): Promise<string> {
  const bubbles = page.locator('.msg.bot .bubble, .msg.staff .bubble');
  const before = await bubbles.count();
  const box = page.getByRole('textbox', { name: '输入您的问题' });
  await box.fill(text);
  await box.press('Enter');
  await eventually(async () => ((await bubbles.count()) > before ? true : undefined), 15_000, `an answer to ${text}`);
  return (await bubbles.last().textContent()) ?? '';
}

const conversationOf = async (page: Page): Promise<string> => `web:${await page.evaluate(() => localStorage.getItem('huiying.conversation'))}`;

describe('web widget in a browser', () => {
  it('answers, offers choices as buttons, admits what it cannot answer, remembers, and shows staff live', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openPortal(page);
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id)).toBe('hy-input');

    // First, as the engine reads a miss right after an answer as a follow-up to that answer.
    const miss = await ask(page, '量子计算机原理');
    expect(miss).toContain('暂时无法回答');
    await page.locator('.msg.bot').last().getByRole('button', { name: '转人工' }).waitFor();

    const answer = await ask(page, '居住证怎么办理');
    expect(answer).toContain('居住证');
    expect(answer).toMatch(/办理|申领/);
    await page.getByRole('link', { name: '居住证网上申请' }).waitFor();

    const question = await ask(page, '驾驶证');
    expect(question).toContain('您是想问');
    const choices = page.getByRole('group', { name: '请选择' }).last().getByRole('button');
    expect(await choices.count()).toBeGreaterThanOrEqual(2);
    const picked = await ask2(page, () => choices.filter({ hasText: /补领|遗失|损毁/ }).first().click());
    expect(picked).toMatch(/补领|遗失|损毁/);

    await page.reload();
    await page.getByRole('button', { name: '打开在线咨询' }).click();
    await page.locator('.msg.me .bubble', { hasText: '量子计算机原理' }).waitFor();
    const history = await page.locator('.log').innerText();
    expect(history).toContain('居住证怎么办理');
    expect(history).toContain('暂时无法回答');

    const conversationId = await conversationOf(page);
    expect(await server.outbound.deliver(conversationId, [{ text: '您好，我是工作人员，您的问题我来解答。', staffName: '王芳' }])).toEqual({ status: 'sent' });
    await page.locator('.msg.staff', { hasText: '您的问题我来解答' }).waitFor();
    expect(await page.locator('.msg.staff .who').last().textContent()).toContain('王芳');

    const notHelpful = page.getByRole('button', { name: '没有帮助' });
    await page.locator('.msg.bot', { hasText: '居住证', has: notHelpful }).first().getByRole('button', { name: '没有帮助' }).click();
    await page.getByText('感谢反馈，我们会改进这条答复。').waitFor();
    const signal = await eventually(
      async () => (await server.store.demand.list()).find((d) => d.conversationId === conversationId && d.reason === 'not_helpful'),
      5000,
      'a not_helpful demand signal',
    );
    expect(signal.text).toContain('居住证怎么办理');

    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.className)).toBe('launcher');
    await context.close();
  });

  it('shows markup in messages as text and never follows javascript: links', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openPortal(page);
    const evil = '<img src=x onerror="window.__pwned=1">';
    await ask(page, evil);
    await page.locator('.msg.me .bubble', { hasText: 'onerror' }).waitFor();
    expect(await page.locator('.msg.me .bubble').last().textContent()).toBe(evil);

    await server.outbound.deliver(await conversationOf(page), [
      { text: '<b>加粗</b><img src=x onerror="window.__pwned=2">', staffName: '<i>王芳</i>', links: [{ title: '点我', url: 'javascript:window.__pwned=3' }] },
    ]);
    await page.locator('.msg.staff .bubble', { hasText: '<b>加粗</b>' }).waitFor();
    expect(await page.locator('.msg.staff .who').last().textContent()).toContain('<i>王芳</i>');
    expect(await page.locator('.log img, .log b, .log i').count()).toBe(0);
    expect(await page.locator('.log a[href^="javascript"]').count()).toBe(0);
    await page.reload();
    await page.getByRole('button', { name: /打开在线咨询/ }).click();
    await page.locator('.msg.me .bubble', { hasText: 'onerror' }).waitFor();
    expect(await page.locator('.log img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await context.close();
  });

  it('makes the web addresses in an answer clickable, and nothing else', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openPortal(page);
    await ask(page, '你好');
    await server.outbound.deliver(await conversationOf(page), [
      { text: '線上申辦服務 (https://example.gov.taipei/apply)，規費見 https://example.gov.taipei/fees?a=1&b=2 。\n勿點 javascript:alert(1) 或 <a href="https://evil.example/">這裡</a>' },
    ]);
    const bubble = page.locator('.msg.bot .bubble', { hasText: '線上申辦服務' });
    await bubble.waitFor();
    expect(await bubble.locator('a').evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('rel')]))).toEqual([
      ['https://example.gov.taipei/apply', 'https://example.gov.taipei/apply', 'noopener noreferrer'],
      ['https://example.gov.taipei/fees?a=1&b=2', 'https://example.gov.taipei/fees?a=1&b=2', 'noopener noreferrer'],
      ['https://evil.example/', 'https://evil.example/', 'noopener noreferrer'],
    ]);
    expect(await bubble.textContent()).toContain('<a href="https://evil.example/">這裡</a>');
    await context.close();
  });

  it('follows the page language and switches between Chinese and English', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Open the chat' }).click();
    await page.getByRole('button', { name: 'Talk to a person' }).waitFor();
    await page.getByRole('button', { name: '切换到中文' }).click();
    await page.getByRole('button', { name: '转人工' }).waitFor();
    await context.close();
  });

  it('keeps its language when a message is in Latin script, until the citizen switches', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openPortal(page);
    // A Latin-script message in the Chinese widget: answered in Chinese, with Chinese buttons.
    const miss = await ask(page, 'ETC');
    expect(miss).toContain('暂时无法回答');
    await page.locator('.msg.bot').last().getByRole('button', { name: '转人工' }).waitFor();
    expect(await page.locator('.msg.bot').last().getByRole('button', { name: 'Talk to a person' }).count()).toBe(0);
    // The citizen switches: the answers follow.
    await page.getByRole('button', { name: 'Switch to English' }).click();
    const box = page.getByRole('textbox', { name: 'Type your question' });
    const bubbles = page.locator('.msg.bot .bubble');
    const before = await bubbles.count();
    await box.fill('量子计算机原理');
    await box.press('Enter');
    await eventually(async () => ((await bubbles.count()) > before ? true : undefined), 15_000, 'the English answer');
    await page.locator('.msg.bot').last().getByRole('button', { name: 'Talk to a person' }).waitFor();
    await context.close();
  });

  it('fills a phone screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 760 } });
    const page = await context.newPage();
    await openPortal(page);
    const box = await page.getByRole('dialog').boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 390, height: 760 });
    await context.close();
  });

  it('still answers over HTTP when the WebSocket is blocked', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.routeWebSocket(/\/channels\/web\/ws/, (ws) => ws.close());
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/channels/web/messages')) posts.push(r.url());
    });
    await openPortal(page);
    const answer = await ask(page, '社保卡怎么办理');
    expect(answer).toContain('社会保障卡');
    expect(posts).toHaveLength(1);
    await server.outbound.deliver(await conversationOf(page), [{ text: '人工客服：已为您预约。', staffName: '李明' }]);
    await page.locator('.msg.staff', { hasText: '已为您预约' }).waitFor({ timeout: 15_000 });
    await context.close();
  });
});

/** Runs `action` (a button tap) and waits until one more bot message is shown. */
async function ask2(page: Page, action: () => Promise<void>): Promise<string> {
  const bubbles = page.locator('.msg.bot .bubble');
  const before = await bubbles.count();
  await action();
  await eventually(async () => ((await bubbles.count()) > before ? true : undefined), 15_000, 'an answer to the pick');
  return (await bubbles.last().textContent()) ?? '';
}
