/**
 * Staff login that cannot freeze or lock out the service (issue 14): a flood of wrong logins waits for one
 * bounded hashing thread while citizens are answered, limits per address and per account and client, an
 * owner never locked out by someone else's failures, audited failures, the administrator's unlock (API and
 * command line), and the failure metric.
 */
import { execFile } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../src/handoff/login-throttle.ts';
import { KEY_LENGTH, MAX_MEM, needsRehash, verifyPassword } from '../src/handoff/passwords.ts';
import { loginFrom } from './support/login-client.ts';
import { createStaff, login } from './support/staff-client.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    // Refusals answered at once: the flood test counts logins still waiting for the hashing thread.
    config: { LOGIN_HASH_QUEUE: '2', LOGIN_ACCOUNT_FAILURES_PER_HOUR: '5', LOGIN_ADDRESS_FAILURES_PER_HOUR: '5', LOGIN_ATTEMPTS_PER_MINUTE: '1000', LOGIN_REFUSAL_DELAY_MS: '0' },
  });
  await createStaff(server.store, 'admin1', 'admin', []);
  await createStaff(server.store, 'owner', 'agent', ['taxation']);
  await createStaff(server.store, 'boss', 'admin', []);
  await createStaff(server.store, 'agent-x', 'agent', ['taxation']);
  await createStaff(server.store, 'clerk', 'agent', ['taxation']);
  await createStaff(server.store, 'duty', 'agent', ['taxation']);
});

afterAll(async () => {
  await server?.stop();
});

const citizenMessage = async (n: number): Promise<number> => {
  const res = await fetch(`${server.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ conversationId: `flood-citizen-${n}`, text: '身份证丢了怎么补办' }),
  });
  return res.status;
};

describe('a flood of wrong logins', () => {
  it('is refused beyond a short hashing queue (503, Retry-After) while citizens and the owner\'s browser are served', async () => {
    const duty = await loginFrom(server.url, 'duty', 'duty-password-1', { address: '127.0.0.99' });
    let pending = 30;
    const logins = Array.from({ length: 30 }, (_, i) =>
      loginFrom(server.url, i % 2 ? 'agent-x' : `nobody-${i}`, `wrong-password-${i}`, { address: `127.0.0.${100 + i}` }).finally(() => pending--),
    );
    // A browser that logged in before has a place of its own in the hashing queue.
    const owner = loginFrom(server.url, 'duty', 'duty-password-1', { address: '127.0.0.99', cookie: duty.deviceCookie! });
    const citizens: Array<{ status: number; loginsPending: number }> = [];
    for (let n = 0; n < 5; n++) citizens.push({ status: await citizenMessage(n), loginsPending: pending });
    const answers = await Promise.all(logins);
    expect((await owner).status).toBe(200);
    // The citizens were answered while logins were still waiting for the hashing thread, not after them.
    for (const c of citizens) expect(c).toEqual({ status: 200, loginsPending: expect.any(Number) });
    expect(citizens.every((c) => c.loginsPending > 0)).toBe(true);
    const busy = answers.filter((a) => a.status === 503);
    expect(busy.length).toBeGreaterThanOrEqual(20);
    expect(busy[0]!.retryAfter).toBeGreaterThan(0);
    expect(busy[0]!.body.error).toBe('busy');
    // The ones that got a place were checked: wrong, 401, the same for an unknown name and a real one.
    expect(answers.filter((a) => a.status === 401).length).toBe(30 - busy.length);
  }, 60_000);
});

describe('login limits', () => {
  it('never lock the owner out: failures elsewhere slow cookie-less logins, the owner\'s browser logs in', async () => {
    const first = await loginFrom(server.url, 'owner', 'owner-password-1', { address: '127.0.0.1' });
    expect(first.status).toBe(200);
    expect(first.deviceCookie).toMatch(/^hy_device=/);
    // An attacker at 127.0.0.2: three failures are free, then the pair waits.
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await loginFrom(server.url, 'owner', `guess-${i}-password`, { address: '127.0.0.2' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const boss = await loginFrom(server.url, 'boss', 'boss-password-1', { address: '127.0.0.1' });
    // One more failure elsewhere puts the account at its soft limit (5 an hour in this test): clients without its cookie wait.
    expect((await loginFrom(server.url, 'owner', 'another-guess-pw', { address: '127.0.0.3' })).status).toBe(401);
    const slowed = await loginFrom(server.url, 'owner', 'owner-password-1', { address: '127.0.0.5' });
    expect(slowed.status).toBe(429);
    expect(slowed.retryAfter).toBeGreaterThan(0);
    expect(slowed.retryAfter).toBeLessThanOrEqual(60);
    // A device cookie of another account does not help.
    expect((await loginFrom(server.url, 'owner', 'owner-password-1', { address: '127.0.0.6', cookie: boss.deviceCookie! })).status).toBe(429);
    // The owner's browser logs in, even behind the attacker's address, and from its own.
    expect((await loginFrom(server.url, 'owner', 'owner-password-1', { address: '127.0.0.2', cookie: first.deviceCookie! })).status).toBe(200);
    expect((await loginFrom(server.url, 'owner', 'owner-password-1', { address: '127.0.0.1', cookie: first.deviceCookie! })).status).toBe(200);
  }, 60_000);

  it('limit failures from one address across names, the same for names that do not exist', async () => {
    const names = ['agent-x', 'ghost-1', 'boss', 'ghost-2', 'admin1'];
    for (const name of names) expect((await loginFrom(server.url, name, 'not-the-password', { address: '127.0.0.20' })).status).toBe(401);
    const real = await loginFrom(server.url, 'agent-x', 'agent-x-password-1', { address: '127.0.0.20' });
    const unknown = await loginFrom(server.url, 'ghost-3', 'agent-x-password-1', { address: '127.0.0.20' });
    expect(real.status).toBe(429);
    expect(unknown.status).toBe(429);
    expect(unknown.body).toEqual(real.body);
    expect(real.body).toMatchObject({ error: 'throttled', message: expect.stringMatching(/try again in/) });
    expect(real.retryAfter).toBeGreaterThan(3000);
    // Refused before its body is read: not even a parse error is worth answering to a limited address.
    expect((await loginFrom(server.url, '', '', { address: '127.0.0.20', rawBody: '{not json' })).status).toBe(429);
    expect((await loginFrom(server.url, '', '', { address: '127.0.0.22', rawBody: '{not json' })).status).toBe(400);
    // Another address is not affected.
    expect((await loginFrom(server.url, 'agent-x', 'agent-x-password-1', { address: '127.0.0.21' })).status).toBe(200);
  }, 60_000);

  it('audit every failed login with its address and name, never the password', async () => {
    const entries = await eventually(async () => {
      const list = (await server.store.audit.list(500)).filter((e) => e.action === 'login_failed' && /^from 127\.0\.0\.2\b(?!\d)/.test(e.detail ?? ''));
      return list.length >= 4 ? list : undefined;
    });
    expect(entries[0]).toMatchObject({ target: 'owner', detail: expect.stringMatching(/^from 127\.0\.0\.2/) });
    expect(entries.some((e) => /now limited: pair/.test(e.detail ?? ''))).toBe(true);
    const all = JSON.stringify(await server.store.audit.list(500));
    expect(all).not.toContain('guess-0-password');
    expect((await server.store.audit.list(500)).some((e) => e.action === 'login_failed' && e.target === 'ghost-1' && e.staffId === null)).toBe(true);
  });

  it('count failures in a metric by reason and limit', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/huiying_staff_login_failures_total\{reason="invalid",limit="none"\} \d+/);
    expect(text).toMatch(/huiying_staff_login_failures_total\{reason="throttled",limit="pair"\} [1-9]/);
    expect(text).toMatch(/huiying_staff_login_failures_total\{reason="throttled",limit="address"\} [1-9]/);
    expect(text).toMatch(/huiying_staff_login_failures_total\{reason="busy",limit="queue"\} [1-9]/);
    expect(text).toMatch(/huiying_staff_login_hash_queue 0/);
  });
});

describe('unlocking an account', () => {
  it('lets an administrator start its limits afresh from the console API (CSRF and role checked, audited)', async () => {
    const ownerId = (await server.store.staff.findByName('owner'))!.id;
    const admin = await login(server.url, 'admin1');
    // More failures on the owner's account make the wait of cookie-less clients double (1 s, 2 s, 4 s, …).
    let wait = 0;
    for (let address = 40; wait < 4; address++) {
      const answer = await loginFrom(server.url, 'owner', 'yet-another-guess', { address: `127.0.0.${address}` });
      if (answer.status === 429) {
        wait = answer.retryAfter!;
        if (wait < 4) await new Promise((r) => setTimeout(r, wait * 1000));
      } else expect(answer.status).toBe(401);
    }
    expect((await admin.post(`/api/v1/staff/${ownerId}/unlock`, undefined, { 'x-csrf-token': 'forged' })).status).toBe(403);
    expect((await admin.post('/api/v1/staff/9999/unlock')).status).toBe(404);
    expect((await admin.post(`/api/v1/staff/${ownerId}/unlock`)).status).toBe(200);
    expect((await loginFrom(server.url, 'owner', 'owner-password-1', { address: '127.0.0.60' })).status).toBe(200);
    const adminId = (await server.store.staff.findByName('admin1'))!.id;
    expect((await server.store.audit.list(50)).some((e) => e.action === 'login_unlock' && e.target === 'owner' && e.staffId === adminId)).toBe(true);
    const agent = await login(server.url, 'agent-x');
    expect((await agent.post(`/api/v1/staff/${ownerId}/unlock`)).status).toBe(403);
  }, 60_000);

  it('works from the command line against the running server', async () => {
    for (const a of [30, 31, 32, 33, 34]) expect((await loginFrom(server.url, 'clerk', 'a-wrong-password', { address: `127.0.0.${a}` })).status).toBe(401);
    expect((await loginFrom(server.url, 'clerk', 'clerk-password-1', { address: '127.0.0.35' })).status).toBe(429);
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('node', ['bin/huiying.js', 'staff', 'unlock', 'clerk'], { env: { ...process.env, DATABASE_PATH: join(server.dir, 'test.db'), LOG_LEVEL: 'silent' } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(run.stdout).toContain('unlocked the login of "clerk"');
    expect((await loginFrom(server.url, 'clerk', 'clerk-password-1', { address: '127.0.0.35' })).status).toBe(200);
    const missing = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile('node', ['bin/huiying.js', 'staff', 'unlock', 'nobody'], { env: { ...process.env, DATABASE_PATH: join(server.dir, 'test.db'), LOG_LEVEL: 'silent' } }, (err, _stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no staff member "nobody"');
  }, 180_000);
});

describe('passwords stored with older scrypt parameters', () => {
  it('still log in, and are hashed again with the current ones after a right password only', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('veteran-password-1', salt, KEY_LENGTH, { N: 2 ** 15, r: 8, p: 1, maxmem: MAX_MEM });
    const old = `scrypt$32768$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    await server.store.staff.create({ name: 'veteran', displayName: 'Veteran', role: 'agent', departments: [], passwordHash: old });
    expect((await loginFrom(server.url, 'veteran', 'not-my-password', { address: '127.0.0.70' })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect((await server.store.staff.findByName('veteran'))!.passwordHash).toBe(old);
    expect((await loginFrom(server.url, 'veteran', 'veteran-password-1', { address: '127.0.0.70' })).status).toBe(200);
    const fresh = await eventually(async () => {
      const stored = (await server.store.staff.findByName('veteran'))!.passwordHash;
      return stored !== old ? stored : undefined;
    });
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(fresh)).toBe(false);
    expect(await verifyPassword('veteran-password-1', fresh)).toBe(true);
    expect((await loginFrom(server.url, 'veteran', 'veteran-password-1', { address: '127.0.0.70' })).status).toBe(200);
  }, 60_000);
});

describe('the global login limit', () => {
  it('refuses logins without a device cookie past the limit a minute, whatever their addresses', async () => {
    const throttle = new LoginThrottle({ addressFailuresPerHour: 100, accountFailuresPerHour: 100, attemptsPerMinute: 2 });
    const attempt = (address: string, deviceId: string | null = null) => throttle.check({ name: 'someone', epoch: 0, address, deviceId });
    expect(await attempt('10.0.0.1')).toEqual({ allowed: true });
    expect(await attempt('10.0.0.2')).toEqual({ allowed: true });
    expect(await attempt('10.0.0.3')).toMatchObject({ allowed: false, limit: 'global' });
    expect(await attempt('10.0.0.4', 'device-1')).toEqual({ allowed: true });
  });
});
