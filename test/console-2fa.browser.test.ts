/**
 * Two-step verification in the console, as an administrator meets it with STAFF_REQUIRE_2FA=true: after the
 * password, only enrolment (QR code and key); confirmed with a code computed from the key shown; recovery
 * codes shown once; then the console. Logged out and in again, the password is followed by the code. A weak
 * new password is refused with the reason in Chinese.
 */
import { generate } from 'otplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { createStaff } from './support/staff-client.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const PASSWORD = 'harbour-violet-quartz-41';
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer({ config: { STAFF_REQUIRE_2FA: 'true' } });
  await createStaff(server.store, 'root', 'admin', [], PASSWORD);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('two-step verification in the console', () => {
  it('takes an administrator from the password to enrolment, then logs them in with password and code', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/console`);
    await page.getByLabel('用户名', { exact: true }).fill('root');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();

    // Nothing but enrolment until it is done.
    await page.getByRole('status').filter({ hasText: '需要开启两步验证' }).waitFor();
    expect(await page.getByRole('button', { name: '咨询队列' }).count()).toBe(0);
    await page.getByRole('button', { name: '设置两步验证' }).click();
    const qr = page.getByRole('img', { name: '两步验证二维码' });
    await qr.waitFor();
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(100);
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel('应用中显示的 6 位验证码').fill(await generate({ secret }));
    await page.getByRole('button', { name: '确认开启' }).click();
    const codes = page.getByRole('list', { name: '恢复码' }).getByRole('listitem');
    await codes.first().waitFor();
    expect(await codes.count()).toBe(10);
    await page.getByRole('button', { name: '我已保存，继续' }).click();
    await page.getByRole('button', { name: '咨询队列' }).waitFor();

    // A weak new password is refused with the reason, in Chinese.
    await page.getByRole('button', { name: '账号安全' }).click();
    await page.getByLabel('当前密码').fill(PASSWORD);
    await page.getByLabel('新密码（至少 10 位，不能是常见密码）').fill('password12');
    await page.getByLabel('再次输入新密码').fill('password12');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: '密码强度不足：这是常用密码' }).waitFor();

    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByLabel('用户名', { exact: true }).fill('root');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    const code = page.getByLabel('验证码或恢复码');
    await code.fill('000000');
    await page.getByRole('button', { name: '验证', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: '还可尝试 4 次' }).waitFor();
    // The next time step's code: the one used to confirm may still be current, and is never accepted twice.
    await code.fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole('button', { name: '验证', exact: true }).click();
    await page.getByRole('button', { name: '咨询队列' }).waitFor();
    await page.getByRole('button', { name: '操作日志' }).waitFor();
  }, 120_000);
});
