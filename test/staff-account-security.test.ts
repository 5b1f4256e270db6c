/**
 * Staff account security over real HTTP: weak and common passwords refused with the reason (creation,
 * reset, change), a password change or reset ending the account's other sessions, and the TOTP second
 * factor (enrolment, login, wrong and replayed codes, single-use recovery codes, attempt limits, the
 * enrolment-only session of an administrator or supervisor when STAFF_REQUIRE_2FA=true).
 */
import { generate } from 'otplib';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, login, staffClient, type StaffClient } from './support/staff-client.ts';
import { FakeClock, startTestServer, type TestServer } from './support/test-server.ts';

const START = '2026-11-26T10:00:00+08:00';
const clock = new FakeClock(new Date(START));
let server: TestServer;

const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The code an authenticator app shows at the server's (fake) time. */
const codeFor = (secret: string, offsetSeconds = 0) => generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) + offsetSeconds });

/** Password then code: the client of the session granted, or the refusal. */
async function twoStepLogin(name: string, code: string | ((pending: string) => Promise<string>), password = `${name}-password-1`) {
  const first = await post('/api/v1/staff/login', { name, password });
  const firstBody = await first.json();
  expect(first.status).toBe(200);
  expect(first.headers.get('set-cookie')).toBeNull();
  expect(firstBody).toEqual({ secondFactor: 'totp', pendingToken: expect.any(String) });
  const second = await post('/api/v1/staff/login/second-factor', { pendingToken: firstBody.pendingToken, code: typeof code === 'string' ? code : await code(firstBody.pendingToken) });
  const body = await second.json();
  const client = second.status === 200 ? staffClient(server.url, second.headers.get('set-cookie')!.split(';')[0]!, body.csrfToken) : null;
  return { status: second.status, body, client, pendingToken: firstBody.pendingToken as string };
}

/** The HTTP status the live socket answers a session cookie with (101: opened). */
function liveSocketStatus(cookie: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/staff/live`, { headers: { cookie } });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

/** Enrols a logged-in staff member; the secret and recovery codes. */
async function enrol(client: StaffClient): Promise<{ secret: string; recoveryCodes: string[] }> {
  const setup = await client.post('/api/v1/staff/2fa/setup');
  expect(setup.status).toBe(200);
  const confirm = await client.post('/api/v1/staff/2fa/confirm', { code: await codeFor(setup.body.secret) });
  expect(confirm.status).toBe(200);
  return { secret: setup.body.secret, recoveryCodes: confirm.body.recoveryCodes };
}

let admin: StaffClient;
let adminSecret: string;

beforeAll(async () => {
  server = await startTestServer({ now: clock.now, config: { STAFF_REQUIRE_2FA: 'true' } });
  await createStaff(server.store, 'root', 'admin', []);
  await createStaff(server.store, 'boss', 'supervisor', []);
  await createStaff(server.store, 'agent-a', 'agent', ['taxation']);
  await createStaff(server.store, 'agent-b', 'agent', ['taxation']);
  admin = await login(server.url, 'root');
  adminSecret = (await enrol(admin)).secret;
});

afterAll(async () => {
  await server?.stop();
});

describe('password rules', () => {
  it('refuses trivial and common passwords at account creation, naming the reason in English and Chinese', async () => {
    const cases: Array<[string, RegExp]> = [
      ['aaaaaaaaaa', /Repeated characters/],
      ['1234567890', /digits alone/],
      ['password12', /commonly used password/],
      ['          ', /Repeated characters/],
      ['woaini1314', /frequently used password/],
      ['5201314woaini', /too weak/],
      ['123qwe123qwe', /Repeated character patterns/],
      ['zhangwei123', /names and surnames/],
      ['xiaoming@1990', /names and surnames/],
      ['short', /at least 10 characters/],
    ];
    for (const [password, reason] of cases) {
      const res = await admin.post('/api/v1/staff', { name: 'newcomer', displayName: '新同事', role: 'agent', departments: ['taxation'], password });
      expect(res.status, password).toBe(400);
      expect(res.body.error).toBe('weak_password');
      expect(res.body.message, password).toMatch(reason);
      expect(res.body.messageZh, password).toMatch(/^密码/);
    }
    const ownName = await admin.post('/api/v1/staff', { name: 'liuyang', displayName: '刘洋', role: 'agent', departments: ['taxation'], password: 'liuyang-2026' });
    expect(ownName.body.message).toMatch(/too weak/);
    const ok = await admin.post('/api/v1/staff', { name: 'newcomer', displayName: '新同事', role: 'agent', departments: ['taxation'], password: 'river-lantern-orchid-7' });
    expect(ok.status).toBe(201);
  });

  it('refuses a weak password at an administrator\'s reset and at a self-service change', async () => {
    const agentId = (await server.store.staff.findByName('agent-a'))!.id;
    const reset = await admin.patch(`/api/v1/staff/${agentId}`, { password: 'password12' });
    expect(reset.status).toBe(400);
    expect(reset.body.message).toMatch(/commonly used password/);
    const agent = await login(server.url, 'agent-a');
    const change = await agent.post('/api/v1/staff/me/password', { currentPassword: 'agent-a-password-1', newPassword: '1234567890' });
    expect(change.status).toBe(400);
    expect(change.body.messageZh).toMatch(/纯数字/);
    expect((await login(server.url, 'agent-a')).csrfToken).toBeTruthy();
  });

  it('a password change needs the current password and ends the account\'s other sessions, keeping the changer\'s own', async () => {
    const here = await login(server.url, 'agent-b');
    const elsewhere = await login(server.url, 'agent-b');
    const wrong = await here.post('/api/v1/staff/me/password', { currentPassword: 'not-my-password', newPassword: 'granite-meadow-falcon-3' });
    expect(wrong.status).toBe(403);
    const changed = await here.post('/api/v1/staff/me/password', { currentPassword: 'agent-b-password-1', newPassword: 'granite-meadow-falcon-3' });
    expect(changed.status).toBe(200);
    expect((await elsewhere.get('/api/v1/escalations')).status).toBe(401);
    expect((await here.get('/api/v1/escalations')).status).toBe(200);
    expect((await post('/api/v1/staff/login', { name: 'agent-b', password: 'agent-b-password-1' })).status).toBe(401);
    expect((await login(server.url, 'agent-b', 'granite-meadow-falcon-3')).csrfToken).toBeTruthy();
    const actions = (await server.store.audit.list()).filter((e) => e.target === 'agent-b').map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['password_change_failed', 'password_change']));
  });

  it('an administrator\'s reset ends every session of the account', async () => {
    const agent = await login(server.url, 'agent-a');
    const agentId = (await server.store.staff.findByName('agent-a'))!.id;
    const reset = await admin.patch(`/api/v1/staff/${agentId}`, { password: 'copper-willow-harbor-9' });
    expect(reset.status).toBe(200);
    expect((await agent.get('/api/v1/escalations')).status).toBe(401);
    expect((await admin.get('/api/v1/escalations')).status).toBe(200);
    expect((await login(server.url, 'agent-a', 'copper-willow-harbor-9')).csrfToken).toBeTruthy();
    expect((await server.store.audit.list()).some((e) => e.action === 'password_reset' && e.target === 'agent-a')).toBe(true);
  });
});

describe('two-factor authentication', () => {
  it('gives an administrator without a second factor a session that can only enrol, then full access once confirmed', async () => {
    const fresh = await post('/api/v1/staff/login', { name: 'boss', password: 'boss-password-1' });
    const body = await fresh.json();
    expect(body.enrolmentRequired).toBe(true);
    const boss = staffClient(server.url, fresh.headers.get('set-cookie')!.split(';')[0]!, body.csrfToken);
    const blocked = await boss.get('/api/v1/escalations');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error).toBe('second_factor_required');
    expect((await boss.get('/api/v1/staff/me')).body.enrolmentRequired).toBe(true);
    expect(await liveSocketStatus(boss.cookie)).toBe(401);
    const setup = await boss.post('/api/v1/staff/2fa/setup');
    expect(setup.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.body.uri).toMatch(/^otpauth:\/\/totp\/Huiying:boss\?/);
    expect(setup.body.qrCode).toMatch(/^data:image\/png;base64,/);
    expect((await boss.post('/api/v1/staff/2fa/confirm', { code: '000000' })).status).toBe(400);
    const confirmed = await boss.post('/api/v1/staff/2fa/confirm', { code: await codeFor(setup.body.secret) });
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.body.recoveryCodes).size).toBe(10);
    expect((await boss.get('/api/v1/escalations')).status).toBe(200);
    expect(await liveSocketStatus(boss.cookie)).toBe(101);
    // The secret is never shown again, and is not stored in the clear.
    expect((await boss.post('/api/v1/staff/2fa/setup')).status).toBe(409);
    const stored = server.store.db.prepare('SELECT secret FROM staff_totp WHERE staff_id = ?').pluck().get((await server.store.staff.findByName('boss'))!.id) as string;
    expect(stored).not.toContain(setup.body.secret);
    // An agent needs none.
    expect((await login(server.url, 'newcomer', 'river-lantern-orchid-7')).csrfToken).toBeTruthy();
  });

  it('asks for the code after the password; a wrong code, or the code already used, is refused', async () => {
    clock.advanceMinutes(1);
    const wrong = await twoStepLogin('root', '123456');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'invalid_code', attemptsLeft: 4 });
    const ok = await twoStepLogin('root', await codeFor(adminSecret));
    expect(ok.status).toBe(200);
    expect(ok.body.staff.name).toBe('root');
    expect((await ok.client!.get('/api/v1/audit')).status).toBe(200);
    // The same code again, within its window: refused.
    const replay = await twoStepLogin('root', await codeFor(adminSecret));
    expect(replay.status).toBe(401);
    // One step later (30 s) is a new code; a code one step behind the server's clock still counts.
    clock.advanceMinutes(1);
    expect((await twoStepLogin('root', await codeFor(adminSecret, -30))).status).toBe(200);
    const latest = (await server.store.audit.list()).find((e) => e.action === 'login' && e.target === 'root');
    expect(latest?.detail).toBe('totp');
    expect((await server.store.audit.list()).some((e) => e.action === 'login_code_failed' && e.target === 'root')).toBe(true);
  });

  it('accepts each recovery code once', async () => {
    clock.advanceMinutes(1);
    const agent = await login(server.url, 'newcomer', 'river-lantern-orchid-7');
    const { recoveryCodes } = await enrol(agent);
    const code = recoveryCodes[3]!;
    const first = await twoStepLogin('newcomer', code.toUpperCase(), 'river-lantern-orchid-7');
    expect(first.status).toBe(200);
    expect((await first.client!.get('/api/v1/staff/2fa')).body).toMatchObject({ enabled: true, required: false, recoveryCodesLeft: 9 });
    expect((await twoStepLogin('newcomer', code, 'river-lantern-orchid-7')).status).toBe(401);
  });

  it('allows 5 codes per login and locks the second step after 10 wrong codes in a row', async () => {
    clock.advanceMinutes(1);
    const first = await twoStepLogin('root', '111111');
    for (let left = 3; left >= 0; left--) {
      const again = await post('/api/v1/staff/login/second-factor', { pendingToken: first.pendingToken, code: '111111' });
      expect((await again.json()).attemptsLeft).toBe(left);
    }
    const spent = await post('/api/v1/staff/login/second-factor', { pendingToken: first.pendingToken, code: await codeFor(adminSecret) });
    expect(spent.status).toBe(401);
    expect((await spent.json()).error).toBe('login_expired');
    const second = await twoStepLogin('root', '222222');
    for (let i = 0; i < 3; i++) await post('/api/v1/staff/login/second-factor', { pendingToken: second.pendingToken, code: '222222' });
    const tenth = await post('/api/v1/staff/login/second-factor', { pendingToken: second.pendingToken, code: '222222' });
    expect(tenth.status).toBe(429);
    const locked = await twoStepLogin('root', await codeFor(adminSecret));
    expect(locked.status).toBe(429);
    clock.advanceMinutes(16);
    expect((await twoStepLogin('root', await codeFor(adminSecret))).status).toBe(200);
  });

  it('lets an administrator reset someone\'s second factor: their sessions end and they enrol again', async () => {
    clock.advanceMinutes(1);
    const bossId = (await server.store.staff.findByName('boss'))!.id;
    const agent = await login(server.url, 'agent-a', 'copper-willow-harbor-9');
    expect((await agent.post(`/api/v1/staff/${bossId}/2fa/reset`)).status).toBe(403);
    const root = (await twoStepLogin('root', await codeFor(adminSecret))).client!;
    expect((await root.post(`/api/v1/staff/${bossId}/2fa/reset`)).status).toBe(200);
    const again = await (await post('/api/v1/staff/login', { name: 'boss', password: 'boss-password-1' })).json();
    expect(again.enrolmentRequired).toBe(true);
    const audit = (await root.get('/api/v1/audit')).body.entries.map((e: { action: string; target: string }) => `${e.action}:${e.target}`);
    expect(audit).toEqual(expect.arrayContaining(['totp_reset:boss', 'totp_enrol:boss', 'totp_enrol:root']));
  });
});
