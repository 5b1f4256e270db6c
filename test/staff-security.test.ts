/** The staff API's security rules: login answers, cookies, CSRF, roles, idle timeout and the audit log (login limits: staff-login-protection.test.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizen, createStaff, login } from './support/staff-client.ts';
import { FakeClock, startTestServer, type TestServer } from './support/test-server.ts';

const clock = new FakeClock(new Date('2026-11-26T10:00:00+08:00'));
let server: TestServer;

const rawLogin = (name: string, password: string) =>
  fetch(`${server.url}/api/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });

beforeAll(async () => {
  server = await startTestServer({ now: clock.now });
  await createStaff(server.store, 'agent-ps', 'agent', ['public-security']);
  await createStaff(server.store, 'agent-tax', 'agent', ['taxation']);
  await createStaff(server.store, 'admin1', 'admin', []);
  await createStaff(server.store, 'victim', 'agent', ['taxation']);
});

afterAll(async () => {
  await server?.stop();
});

describe('staff login', () => {
  it('gives the same answer for an unknown name and a wrong password', async () => {
    const unknown = await rawLogin('nobody-here', 'whatever-password');
    const wrong = await rawLogin('agent-ps', 'not-the-password');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(await unknown.json()).toEqual(await wrong.json());
  });

  it('sets an HttpOnly, SameSite=Strict session cookie with a fresh id at every login', async () => {
    const first = await rawLogin('agent-ps', 'agent-ps-password-1');
    const second = await rawLogin('agent-ps', 'agent-ps-password-1');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/hy_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    // Plain HTTP on localhost is the only place Secure is off.
    expect(cookie).not.toMatch(/Secure/i);
    expect(second.headers.get('set-cookie')!.split(';')[0]).not.toBe(cookie.split(';')[0]);
  });

  it('logs out: the old cookie stops working', async () => {
    const agent = await login(server.url, 'agent-ps');
    expect((await agent.post('/api/v1/staff/logout')).status).toBe(200);
    expect((await agent.get('/api/v1/escalations')).status).toBe(401);
  });

  it('ends a session after 30 idle minutes', async () => {
    const agent = await login(server.url, 'agent-ps');
    clock.advanceMinutes(29);
    expect((await agent.get('/api/v1/escalations')).status).toBe(200);
    clock.advanceMinutes(31);
    expect((await agent.get('/api/v1/escalations')).status).toBe(401);
    clock.set('2026-11-26T10:00:00+08:00');
  });
});

describe('staff authorisation', () => {
  it('refuses a state-changing request without the CSRF token', async () => {
    const agent = await login(server.url, 'agent-ps');
    const res = await agent.post('/api/v1/staff/logout', undefined, { 'x-csrf-token': 'forged' });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('csrf');
  });

  it('keeps agents to their own departments and away from staff management', async () => {
    const say = citizen(server.url, 'security-case-ps');
    await say('我的身份证号是110101199003071234，身份证丢了怎么补办');
    await say('转人工');
    const open = (await server.store.escalations.findOpen('security-case-ps'))!;
    expect(open.department).toBe('public-security');
    const tax = await login(server.url, 'agent-tax');
    expect((await tax.get('/api/v1/escalations')).body.escalations.map((e: { id: number }) => e.id)).not.toContain(open.id);
    expect((await tax.get(`/api/v1/escalations/${open.id}`)).status).toBe(403);
    expect((await tax.post(`/api/v1/escalations/${open.id}/claim`)).status).toBe(403);
    const created = await tax.post('/api/v1/staff', { name: 'sneaky', displayName: 'x', role: 'admin', password: 'long-enough-password' });
    expect(created.status).toBe(403);
    expect((await tax.get('/api/v1/audit')).status).toBe(403);
  });

  it('never shows an ID number in the queue', async () => {
    const ps = await login(server.url, 'agent-ps');
    const queue = await ps.get('/api/v1/escalations');
    const item = queue.body.escalations.find((e: { conversationId: string }) => e.conversationId === 'security-case-ps');
    expect(item.question).not.toContain('110101199003071234');
    expect(item.question).toContain('身份证丢了怎么补办');
  });

  it('lets an administrator create staff, with clear errors for bad input, and records it in the audit log', async () => {
    const admin = await login(server.url, 'admin1');
    const weak = await admin.post('/api/v1/staff', { name: 'newbie', displayName: '新同事', role: 'agent', departments: ['taxation'], password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.message).toMatch(/at least 10/);
    const badDept = await admin.post('/api/v1/staff', { name: 'newbie', displayName: '新同事', role: 'agent', departments: ['moon'], password: 'long-enough-password' });
    expect(badDept.body.message).toMatch(/unknown department/);
    const ok = await admin.post('/api/v1/staff', { name: 'newbie', displayName: '新同事', role: 'agent', departments: ['taxation'], password: 'long-enough-password' });
    expect(ok.status).toBe(201);
    expect((await login(server.url, 'newbie', 'long-enough-password')).csrfToken).toBeTruthy();
    const off = await admin.post('/api/v1/staff', { name: 'newbie', displayName: 'again', role: 'agent', departments: ['taxation'], password: 'long-enough-password' });
    expect(off.status).toBe(409);
    const audit = await admin.get('/api/v1/audit');
    expect(audit.body.entries.map((e: { action: string; target: string }) => `${e.action}:${e.target}`)).toContain('staff_add:newbie');
  });

  it('audits claims, replies, views and resolutions', async () => {
    const ps = await login(server.url, 'agent-ps');
    const open = (await server.store.escalations.findOpen('security-case-ps'))!;
    await ps.get(`/api/v1/escalations/${open.id}`);
    await ps.post(`/api/v1/escalations/${open.id}/claim`);
    await ps.post(`/api/v1/escalations/${open.id}/messages`, { text: '请到派出所补领。' });
    await ps.post(`/api/v1/escalations/${open.id}/resolve`);
    const actions = (await server.store.audit.list()).filter((e) => e.target === open.caseNumber).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['view', 'claim', 'reply', 'resolve']));
  });

  it('shows the citizen\'s own words (ID number included) only to the staff member holding the case', async () => {
    const say = citizen(server.url, 'security-sealed-text');
    await say('我的手机号13812345678，身份证丢了怎么补办');
    await say('转人工');
    const open = (await server.store.escalations.findOpen('security-sealed-text'))!;
    const stored = (await server.store.messages.listByConversation('security-sealed-text'))[0]!;
    expect(stored.text).not.toContain('13812345678');
    expect(stored.sealedText).not.toContain('13812345678');
    const admin = await login(server.url, 'admin1');
    const before = await admin.get(`/api/v1/escalations/${open.id}`);
    expect(JSON.stringify(before.body.messages)).not.toContain('13812345678');
    const ps = await login(server.url, 'agent-ps');
    await ps.post(`/api/v1/escalations/${open.id}/claim`);
    const held = await ps.get(`/api/v1/escalations/${open.id}`);
    expect(held.body.messages[0].text).toBe('我的手机号13812345678，身份证丢了怎么补办');
    expect(JSON.stringify((await admin.get(`/api/v1/escalations/${open.id}`)).body.messages)).not.toContain('13812345678');
    const audit = (await server.store.audit.list()).filter((e) => e.target === open.caseNumber).map((e) => e.action);
    expect(audit).toContain('view_personal_data');
  });
});
