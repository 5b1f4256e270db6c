/**
 * The staff console in a real browser (Debian's Chromium driven by playwright-core), next to a citizen in
 * the web widget: a case appears live, is claimed, answered, resolved and rated.
 */
import { type Browser, type BrowserContext, type Locator, type Page, type WebSocketRoute } from 'playwright-core';
import { launchBrowser } from './support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webChannel } from '../channels/web/index.ts';
import { hashPassword } from '../src/handoff/passwords.ts';
import type { StaffRole } from '../src/handoff/types.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const PASSWORD = 'correct-horse-battery';

async function addStaff(name: string, displayName: string, role: StaffRole, departments: string[] = []): Promise<number> {
  return (await server.store.staff.create({ name, displayName, role, departments, passwordHash: await hashPassword(PASSWORD) })).id;
}

beforeAll(async () => {
  server = await startTestServer({ channels: [webChannel] });
  browser = await launchBrowser();
  // "居住证怎么办理" then "转人工" lands in the public-security queue of the sample knowledge base.
  await addStaff('wangfang', '王芳', 'agent', ['public-security']);
  await addStaff('lina', '李娜', 'agent', ['public-security']);
  await addStaff('zhaoqiang', '赵强', 'agent', ['public-security']);
  await addStaff('taxclerk', '孙税', 'agent', ['taxation']);
  await addStaff('chenjing', '陈静', 'supervisor');
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  return context.newPage();
}

/** Waits until `locator` shows `text`. */
const shows = (locator: Locator, text: string | RegExp): Promise<void> => locator.filter({ hasText: text }).first().waitFor();

async function logIn(page: Page, name: string, password = PASSWORD): Promise<void> {
  await page.goto(`${server.url}/console`);
  await page.getByLabel('用户名', { exact: true }).fill(name);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}

async function logInToQueue(page: Page, name: string): Promise<void> {
  await logIn(page, name);
  await page.getByRole('heading', { name: /待处理咨询/ }).waitFor();
  await page.getByRole('status').filter({ hasText: '实时连接正常' }).waitFor();
}

/** A citizen on the demo portal asks a question, then taps 转人工; returns the case number they are told. */
async function citizenAsksForPerson(page: Page, question: string): Promise<string> {
  await page.goto(server.url);
  await page.getByRole('button', { name: /打开在线咨询/ }).click();
  const box = page.getByRole('textbox', { name: '输入您的问题' });
  await box.fill(question);
  await box.press('Enter');
  await page.locator('.msg.bot .bubble').nth(1).waitFor({ timeout: 15_000 });
  await page.locator('button.human').click();
  const notice = page.locator('.msg.bot .bubble', { hasText: '已转人工' });
  await notice.waitFor({ timeout: 15_000 });
  const caseNumber = /HY-\d{8}-\d{4}/.exec((await notice.textContent()) ?? '')?.[0];
  expect(caseNumber).toBeDefined();
  return caseNumber!;
}

/** Routes a console's live feed through the test, which can hold the server's frames back for a moment. */
async function holdableLiveFeed(page: Page): Promise<{ hold(): void; release(): void }> {
  let held: Array<string | Buffer> | null = null;
  let route: WebSocketRoute | undefined;
  await page.routeWebSocket(/\/api\/v1\/staff\/live/, (ws) => {
    route = ws;
    const upstream = ws.connectToServer();
    upstream.onMessage((frame) => (held ? held.push(frame) : ws.send(frame)));
  });
  return {
    hold: () => {
      held = [];
    },
    release: () => {
      const frames = held ?? [];
      held = null;
      for (const frame of frames) route?.send(frame);
    },
  };
}

const caseItem = (page: Page, caseNumber: string): Locator => page.locator(`.case-item[data-case="${caseNumber}"]`);
const caseId = async (caseNumber: string): Promise<number> => (await server.store.escalations.list()).find((e) => e.caseNumber === caseNumber)!.id;

describe('staff console in a browser', () => {
  it('takes a case from the widget live: claim, reply, note, resolve; the citizen rates; a supervisor sees the rating', async () => {
    const agent = await newPage();
    await logInToQueue(agent, 'wangfang');
    await agent.getByText('暂无待处理的咨询。').waitFor();

    const citizen = await newPage();
    const caseNumber = await citizenAsksForPerson(citizen, '居住证怎么办理');

    // The case appears without a reload, with its waiting time and the countdown to the response target.
    const item = caseItem(agent, caseNumber);
    await item.waitFor();
    expect(await item.textContent()).toContain('居住证怎么办理');
    await shows(item, /已等待 \d+:\d\d:\d\d/);
    await shows(item, /剩余 \d+:\d\d:\d\d/);
    await item.click();

    // What the bot understood and where the citizen is writing from.
    const facts = agent.locator('.facts');
    await shows(facts, '网页');
    await shows(facts, '市公安局（户政、出入境）');
    await agent.getByRole('heading', { name: '机器人的理解（候选答案及得分）' }).waitFor();
    expect(await agent.locator('.candidates tbody tr').count()).toBeGreaterThan(0);
    expect(await agent.locator('.candidates tbody').textContent()).toMatch(/居住证[\s\S]*0\.\d\d/);
    await shows(agent.locator('.msg-citizen'), '居住证怎么办理');
    await shows(agent.locator('.msg-bot'), '已转人工');

    await agent.getByRole('button', { name: '认领', exact: true }).click();
    await agent.getByRole('status').filter({ hasText: '已认领' }).waitFor();
    await shows(agent.locator('.facts .assignee'), '王芳');

    // Canned replies and knowledge-base answers go into the reply box.
    await agent.getByRole('combobox').filter({ hasText: '选择常用回复插入…' }).selectOption({ label: '问候' });
    expect(await agent.getByLabel('回复市民').inputValue()).toContain('很高兴为您服务');
    await agent.getByRole('searchbox', { name: '搜索知识库答案' }).fill('居住证');
    await agent.getByRole('button', { name: '搜索', exact: true }).click();
    await agent.getByRole('button', { name: /^插入: .*居住证/ }).first().click();
    expect(await agent.getByLabel('回复市民').inputValue()).toContain('居住登记');

    const reply = '您好，我是王芳。居住证请先办理居住登记，满半年后到派出所申领。';
    await agent.getByLabel('回复市民').fill(reply);
    await agent.getByRole('button', { name: '发送', exact: true }).click();
    await shows(agent.locator('.msg-staff'), '满半年后到派出所申领');

    // The citizen sees the reply live, with the staff member's name.
    const staffMessage = citizen.locator('.msg.staff', { hasText: '满半年后到派出所申领' });
    await staffMessage.waitFor();
    expect(await staffMessage.locator('.who').textContent()).toContain('王芳');

    // The citizen's answer reaches the console live.
    const box = citizen.getByRole('textbox', { name: '输入您的问题' });
    await box.fill('好的，我明天去派出所');
    await box.press('Enter');
    await shows(agent.locator('.msg-citizen'), '我明天去派出所');

    await agent.getByLabel('输入内部备注').fill('已告知办理步骤，无需回访');
    await agent.getByRole('button', { name: '添加备注' }).click();
    await shows(agent.locator('.notes'), '已告知办理步骤');
    expect(await agent.locator('.notes li').count()).toBe(1);

    await agent.getByRole('button', { name: '结束服务' }).click();
    await agent.getByRole('button', { name: '确认' }).click();
    await agent.getByRole('status').filter({ hasText: '服务已结束' }).waitFor();
    await caseItem(agent, caseNumber).waitFor({ state: 'detached' });

    // The citizen rates by tapping 满意.
    await citizen.locator('.msg.bot .bubble', { hasText: '请您评价' }).waitFor();
    await citizen.getByRole('group', { name: '请选择' }).last().getByRole('button', { name: '满意', exact: true }).click();
    await citizen.locator('.msg.bot .bubble', { hasText: '感谢您的评价' }).waitFor();
    expect(await citizen.locator('.log').innerText()).not.toContain('已告知办理步骤');

    const supervisor = await newPage();
    await logInToQueue(supervisor, 'chenjing');
    await supervisor.getByRole('button', { name: '服务评价' }).click();
    const row = supervisor.getByRole('row', { name: new RegExp(caseNumber) });
    await row.waitFor();
    expect(await row.getByRole('cell').nth(3).textContent()).toBe('满意');
    expect(await row.textContent()).toContain('王芳');
  });

  it('lets exactly one of two consoles claim a case; the other is told', async () => {
    const citizen = await newPage();
    const caseNumber = await citizenAsksForPerson(citizen, '居住证怎么办理');
    const consoles = [await newPage(), await newPage()] as const;
    const feeds = await Promise.all(consoles.map(holdableLiveFeed));
    await Promise.all([logInToQueue(consoles[0], 'lina'), logInToQueue(consoles[1], 'zhaoqiang')]);
    for (const page of consoles) {
      await caseItem(page, caseNumber).click();
      await page.getByRole('button', { name: '认领', exact: true }).waitFor();
    }

    // "At once": neither console hears of the other's claim before both have clicked.
    for (const feed of feeds) feed.hold();
    await Promise.all(consoles.map((page) => page.getByRole('button', { name: '认领', exact: true }).click()));
    for (const feed of feeds) feed.release();
    const outcome = (page: Page) =>
      page
        .locator('.case-main')
        .getByText(/^(已认领|认领失败)/)
        .textContent();
    const [first, second] = await Promise.all(consoles.map(outcome));
    const results = [first, second].map((text) => (text?.startsWith('已认领') ? 'won' : text));
    expect([...results].sort()).toEqual(['won', '认领失败：该咨询已被其他工作人员认领。'].sort());

    const winner = results[0] === 'won' ? consoles[0] : consoles[1];
    const loser = winner === consoles[0] ? consoles[1] : consoles[0];
    const winnerName = winner === consoles[0] ? '李娜' : '赵强';
    const assigneeId = (await server.store.escalations.get(await caseId(caseNumber)))!.assigneeId!;
    expect((await server.store.staff.get(assigneeId))?.displayName).toBe(winnerName);
    await loser.getByText(`该咨询由 ${winnerName} 处理中。`).waitFor();
    expect(await loser.getByLabel('回复市民').count()).toBe(0);
    await winner.getByLabel('回复市民').waitFor();
  });

  it('shows an error for a wrong password', async () => {
    const page = await newPage();
    await logIn(page, 'wangfang', 'not-the-password');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('用户名或密码错误。');
    expect(await page.getByLabel('密码', { exact: true }).inputValue()).toBe('');
    await logIn(page, 'nobody-here', 'whatever-it-is');
    await shows(page.getByRole('alert'), '用户名或密码错误。');
  });

  it('keeps other departments’ cases from an agent, and switches to English', async () => {
    const citizen = await newPage();
    const caseNumber = await citizenAsksForPerson(citizen, '居住证怎么办理');
    const supervisor = await newPage();
    await logInToQueue(supervisor, 'chenjing');
    await caseItem(supervisor, caseNumber).waitFor();

    const page = await newPage();
    await logInToQueue(page, 'taxclerk');
    await page.getByText('暂无待处理的咨询。').waitFor();
    expect(await page.locator('.case-item').count()).toBe(0);
    const direct = await page.request.get(`${server.url}/api/v1/escalations/${await caseId(caseNumber)}`);
    expect(direct.status()).toBe(403);

    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: /Open cases/ }).waitFor();
    await page.reload();
    await page.getByText('No cases waiting.').waitFor();
    await page.getByRole('button', { name: '切换到中文' }).click();
    await page.getByText('暂无待处理的咨询。').waitFor();
  });

  it('marks overdue cases red for a supervisor who sees every queue, and catches up after the live connection drops', async () => {
    const page = await newPage();
    let connections = 0;
    let firstSocket: WebSocketRoute | undefined;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.routeWebSocket(/\/api\/v1\/staff\/live/, async (ws) => {
      connections++;
      if (connections === 1) {
        firstSocket = ws;
        ws.connectToServer();
        return;
      }
      await released;
      ws.connectToServer();
    });
    await logInToQueue(page, 'chenjing');

    await firstSocket!.close();
    await page.getByRole('status').filter({ hasText: '实时连接已断开' }).waitFor();

    // A case opens (in any department) while the console is cut off, and is already past its target.
    const conversationId = `console-test-${Date.now()}`;
    for (const text of ['居住证怎么办理', '转人工']) {
      await fetch(`${server.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conversationId, text }) });
    }
    const opened = await eventually(() => server.store.escalations.findOpen(conversationId), 5000, 'the case');
    await server.store.escalations.update(opened.id, { dueAt: new Date(Date.now() - 90_000) });
    expect(await caseItem(page, opened.caseNumber).count()).toBe(0);

    release();
    await page.getByRole('status').filter({ hasText: '实时连接正常' }).waitFor();
    const item = caseItem(page, opened.caseNumber);
    await item.waitFor();
    const overdue = item.locator('.sla');
    await shows(overdue, /已超时 0:01:\d\d/);
    expect(await overdue.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(180, 35, 24)');
  });
});
