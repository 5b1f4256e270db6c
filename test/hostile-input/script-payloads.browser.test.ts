/**
 * Script and HTML payloads sent as a citizen's messages do not run in the widget (on the demo portal) nor in
 * the staff console, and show as the text that was typed. Debian's Chromium driven by playwright-core.
 */
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webChannel } from '../../channels/web/index.ts';
import { hashPassword } from '../../src/handoff/passwords.ts';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';

const PAYLOADS = [
  '<script>window.__pwned=1;document.title="pwned"</script>',
  '<img src=x onerror="window.__pwned=1;document.title=\'pwned\'">',
  '<svg onload="window.__pwned=1"></svg>',
  '<a href="javascript:window.__pwned=1" id="evil-link">点我</a>',
  '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
];
const PASSWORD = 'script-payload-password';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer({ channels: [webChannel] });
  browser = await launchBrowser();
  await server.store.staff.create({ name: 'xssvisor', displayName: '监督', role: 'supervisor', departments: [], passwordHash: await hashPassword(PASSWORD) });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Nothing a payload would do has happened on the page: no global set, the title unchanged, no dialog. */
async function expectUntouched(page: Page, title: string): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(await page.title()).toBe(title);
}

async function say(page: Page, text: string): Promise<void> {
  const answers = page.locator('.msg.bot .bubble');
  const before = await answers.count();
  const box = page.getByRole('textbox', { name: '输入您的问题' });
  await box.fill(text);
  await box.press('Enter');
  await eventually(async () => ((await answers.count()) > before ? true : undefined), 15_000, `an answer to ${text}`);
}

describe('script payloads in a browser', () => {
  it('show as text and run neither in the widget nor in the staff console', async () => {
    const citizen = await (await browser.newContext()).newPage();
    const dialogs: string[] = [];
    citizen.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await citizen.goto(server.url);
    const portalTitle = await citizen.title();
    await citizen.getByRole('button', { name: '打开在线咨询' }).click();
    await citizen.getByRole('dialog').waitFor();
    await say(citizen, `居住证怎么办理${PAYLOADS[0]}`);
    for (const payload of PAYLOADS.slice(1)) await say(citizen, payload);

    const shown = await citizen.locator('.msg.me .bubble').allTextContents();
    expect(shown).toEqual([`居住证怎么办理${PAYLOADS[0]}`, ...PAYLOADS.slice(1)]);
    expect(await citizen.locator('.msg img, .msg svg[onload], .msg iframe, .msg script, #evil-link').count()).toBe(0);
    await expectUntouched(citizen, portalTitle);

    await citizen.locator('button.human').last().click();
    await citizen.locator('.msg.bot .bubble', { hasText: '已转人工' }).waitFor({ timeout: 15_000 });
    await expectUntouched(citizen, portalTitle);
    expect(dialogs).toEqual([]);

    const staff = await (await browser.newContext()).newPage();
    staff.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await staff.goto(`${server.url}/console`);
    const consoleTitle = await staff.title();
    await staff.getByLabel('用户名', { exact: true }).fill('xssvisor');
    await staff.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await staff.getByRole('button', { name: '登录', exact: true }).click();
    const item = staff.locator('.case-item').first();
    await item.waitFor({ timeout: 15_000 });
    await item.click();
    const transcript = staff.locator('.msg-citizen');
    await transcript.filter({ hasText: PAYLOADS[1]! }).first().waitFor();
    const texts = await transcript.allTextContents();
    for (const payload of PAYLOADS) expect(texts.some((t) => t.includes(payload)), payload).toBe(true);
    expect(await staff.locator('.msg-citizen img, .msg-citizen svg, .msg-citizen iframe, .msg-citizen script, #evil-link').count()).toBe(0);
    await expectUntouched(staff, consoleTitle);
    expect(dialogs).toEqual([]);
  });
});
