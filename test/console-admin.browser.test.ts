/** An administrator in the console adds a department and creates an agent for its queue, and unlocks an account's login. */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from './support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff } from './support/staff-client.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

let server: TestServer;
let browser: Browser;
const knowledge = mkdtempSync(join(tmpdir(), 'huiying-admin-kb-'));

beforeAll(async () => {
  cpSync('knowledge', knowledge, { recursive: true });
  server = await startTestServer({ config: { KNOWLEDGE_DIR: knowledge } });
  await createStaff(server.store, 'root', 'admin', [], 'correct-horse-battery');
  await createStaff(server.store, 'lin', 'agent', ['taxation']);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(knowledge, { recursive: true, force: true });
});

/** A new browser page logged in as the administrator, on the 人员管理 page. */
async function staffPageAsRoot(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/console`);
  await page.getByLabel('用户名', { exact: true }).fill('root');
  await page.getByLabel('密码', { exact: true }).fill('correct-horse-battery');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('button', { name: '人员管理' }).or(page.getByRole('link', { name: '人员管理' })).first().click();
  return page;
}

describe('console administration', () => {
  it('adds a department, then a staff account in it', async () => {
    const page = await staffPageAsRoot();
    await page.getByLabel('部门代码（小写字母、数字、连字符）').fill('urban-management');
    await page.getByLabel('中文名称', { exact: true }).fill('市城市管理局');
    await page.getByRole('button', { name: '添加部门' }).click();
    await page.getByRole('status').filter({ hasText: '已添加部门' }).waitFor();
    expect(readFileSync(join(knowledge, 'departments.yaml'), 'utf8')).toContain('市城市管理局');
    // The new queue is offered when creating an account.
    await page.getByRole('checkbox', { name: '市城市管理局' }).first().waitFor();
  }, 120_000);

  it("unlocks an account's login from the staff page, and the audit log says who did", async () => {
    const page = await staffPageAsRoot();
    const epoch = (await server.store.staff.findByName('lin'))!.loginEpoch;
    await page.getByRole('button', { name: '解除登录限制 lin' }).click();
    await page.getByRole('status').filter({ hasText: '已解除 lin 的登录限制' }).waitFor();
    expect((await server.store.staff.findByName('lin'))!.loginEpoch).toBe(epoch + 1);
    const entry = (await server.store.audit.list(20)).find((e) => e.action === 'login_unlock');
    expect(entry).toMatchObject({ target: 'lin', staffId: (await server.store.staff.findByName('root'))!.id });
  }, 120_000);
});
