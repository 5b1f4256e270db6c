/** The escalation lifecycle over the real HTTP API: citizen on /api/v1/messages, staff on the staff API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizen, createStaff, login, type StaffClient } from './support/staff-client.ts';
import { FakeClock, startTestServer, type TestServer } from './support/test-server.ts';

// Thursday 10:00 in Beijing: inside opening hours.
const clock = new FakeClock(new Date('2026-11-26T10:00:00+08:00'));
let server: TestServer;
let li: StaffClient;
let wang: StaffClient;

beforeAll(async () => {
  server = await startTestServer({ now: clock.now });
  await createStaff(server.store, 'li', 'agent', ['public-security']);
  await createStaff(server.store, 'wang', 'agent', ['public-security']);
  await createStaff(server.store, 'zhao', 'agent', ['taxation']);
  await createStaff(server.store, 'boss', 'supervisor', []);
  li = await login(server.url, 'li');
  wang = await login(server.url, 'wang');
});

afterAll(async () => {
  await server?.stop();
});

async function openCase(conversationId: string, question = '身份证丢了怎么补办') {
  const say = citizen(server.url, conversationId);
  await say(question);
  const escalated = await say('转人工');
  const [open] = (await server.store.escalations.list()).filter((e) => e.conversationId === conversationId);
  return { say, escalated, caseId: open!.id };
}

describe('escalation lifecycle', () => {
  it('gives the citizen a case number and expected time, and routes the case to the department of the question', async () => {
    const { escalated, caseId } = await openCase('handoff-case-number');
    expect(escalated.outcome).toBe('escalated');
    expect(escalated.replies[0]?.text).toMatch(/您的咨询已转人工，编号 HY-20261126-\d{4}，预计 3 分钟内回复/);
    const queue = await li.get('/api/v1/escalations');
    const item = queue.body.escalations.find((e: { id: number }) => e.id === caseId);
    expect(item).toMatchObject({ department: 'public-security', state: 'pending', question: '身份证丢了怎么补办' });
    expect(item.candidates[0].entryId).toBe('household-idcard-replacement-lost');
  });

  it('lets exactly one of two staff win a simultaneous claim', async () => {
    const { caseId } = await openCase('handoff-claim-race');
    const results = await Promise.all([li.post(`/api/v1/escalations/${caseId}/claim`), wang.post(`/api/v1/escalations/${caseId}/claim`)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)?.body.message).toMatch(/already claimed/);
  });

  it('relays both ways while assigned, and the bot stays silent', async () => {
    const { say, caseId } = await openCase('handoff-relay');
    expect((await li.post(`/api/v1/escalations/${caseId}/claim`)).status).toBe(200);
    const reply = await li.post(`/api/v1/escalations/${caseId}/messages`, { text: '您好，请带户口簿到派出所补领。' });
    expect(reply.body.delivery).toEqual({ status: 'sent' });
    const during = await say('需要多久能拿到?');
    expect(during).toMatchObject({ outcome: 'staff', replies: [] });
    const history = await (await fetch(`${server.url}/api/v1/conversations/handoff-relay/messages`)).json();
    const texts = history.messages.map((m: { text: string }) => m.text);
    expect(texts).toContain('您好，请带户口簿到派出所补领。');
    expect(texts.at(-1)).toBe('需要多久能拿到?');
    // The citizen's history names the staff member who replied, and only on staff replies.
    const staffReply = history.messages.find((m: { text: string }) => m.text === '您好，请带户口簿到派出所补领。');
    expect(staffReply.staffName).toBe('li display');
    expect(history.messages.filter((m: { staffName?: string }) => m.staffName)).toHaveLength(1);
    const detail = await li.get(`/api/v1/escalations/${caseId}`);
    expect(detail.body.messages.map((m: { text: string }) => m.text)).toContain('需要多久能拿到?');
    expect(detail.body.escalation.firstResponseAt).not.toBeNull();
  });

  it('resolves, asks for a 好差评 rating, and a 不满意 opens a follow-up for a supervisor', async () => {
    const { say, caseId } = await openCase('handoff-rating');
    await li.post(`/api/v1/escalations/${caseId}/claim`);
    await li.post(`/api/v1/escalations/${caseId}/messages`, { text: '已为您登记。' });
    const resolved = await li.post(`/api/v1/escalations/${caseId}/resolve`);
    expect(resolved.body.escalation.state).toBe('resolved');
    const history = await (await fetch(`${server.url}/api/v1/conversations/handoff-rating/messages`)).json();
    expect(history.messages.at(-1).text).toMatch(/请您评价：\n1\. 满意\n2\. 基本满意\n3\. 不满意/);
    const thanks = await say('3 等太久了');
    expect(thanks.replies[0]?.text).toContain('主管会跟进');
    const boss = await login(server.url, 'boss');
    const ratings = await boss.get('/api/v1/ratings');
    const rated = ratings.body.cases.find((e: { id: number }) => e.id === caseId);
    expect(rated).toMatchObject({ rating: 'dissatisfied', ratingComment: '等太久了', followUpOpen: true });
    // After the rating the bot answers questions again.
    expect((await say('居住证怎么办理')).outcome).toBe('answered');
  });

  it('transfers a case to another department with a note; the new department sees it and the old one no longer can', async () => {
    const { caseId } = await openCase('handoff-transfer');
    const moved = await li.post(`/api/v1/escalations/${caseId}/transfer`, { department: 'taxation', note: '涉及个税' });
    expect(moved.body.escalation).toMatchObject({ state: 'transferred', department: 'taxation' });
    const zhao = await login(server.url, 'zhao');
    expect((await zhao.get('/api/v1/escalations')).body.escalations.map((e: { id: number }) => e.id)).toContain(caseId);
    expect((await li.get(`/api/v1/escalations/${caseId}`)).status).toBe(403);
    const detail = await zhao.get(`/api/v1/escalations/${caseId}`);
    expect(detail.body.notes[0].text).toContain('涉及个税');
    expect((await li.post(`/api/v1/escalations/${caseId}/transfer`, { department: 'nowhere' })).status).toBe(403);
    expect((await zhao.post(`/api/v1/escalations/${caseId}/transfer`, { department: 'nowhere' })).body.message).toContain('unknown department');
  });

  it('expires a case nobody answered in time, tells the citizen, and keeps it claimable', async () => {
    const { caseId } = await openCase('handoff-expiry');
    clock.advanceMinutes(59);
    expect(await server.handoff.sweep()).toEqual([]);
    clock.advanceMinutes(2);
    const expired = await server.handoff.sweep();
    expect(expired.map((e) => e.id)).toContain(caseId);
    const history = await (await fetch(`${server.url}/api/v1/conversations/handoff-expiry/messages`)).json();
    expect(history.messages.at(-1).text).toMatch(/工作人员暂时未能回复.*会一直保留/);
    // An hour passed: the idle sessions timed out.
    expect((await wang.get('/api/v1/escalations')).status).toBe(401);
    wang = await login(server.url, 'wang');
    li = await login(server.url, 'li');
    expect((await wang.post(`/api/v1/escalations/${caseId}/claim`)).status).toBe(200);
  });

  it('outside opening hours tells the citizen when staff are back', async () => {
    clock.set('2026-11-26T20:00:00+08:00');
    const { escalated } = await openCase('handoff-after-hours');
    expect(escalated.replies[0]?.text).toContain('工作人员将于 2026-11-27 09:00 上班后尽快回复');
    clock.set('2026-11-26T10:30:00+08:00');
  });

  it('opens a case from the demand log at a staff member\'s request', async () => {
    const say = citizen(server.url, 'handoff-from-demand');
    await say('小区里的流浪猫太多了晚上一直叫，能不能派人来管管');
    const signal = (await server.store.demand.list()).find((d) => d.conversationId === 'handoff-from-demand')!;
    const boss = await login(server.url, 'boss');
    const opened = await boss.post(`/api/v1/demand/${signal.id}/escalate`);
    expect(opened.status).toBe(201);
    expect(opened.body.escalation).toMatchObject({ trigger: 'staff_opened', conversationId: 'handoff-from-demand' });
  });

  it('answers bad input with 400 and a message', async () => {
    expect((await li.post('/api/v1/escalations/abc/claim')).status).toBe(400);
    const empty = await li.post('/api/v1/escalations/1/messages', { text: '   ' });
    expect(empty).toMatchObject({ status: 400 });
    expect(empty.body.message).toContain('text');
    expect((await li.get('/api/v1/escalations?state=nonsense')).status).toBe(400);
    expect((await li.post('/api/v1/escalations/999999/claim')).status).toBe(404);
  });
});

describe('escalation policy', () => {
  it('escalates by itself after repeated misses when configured to', async () => {
    const strict = await startTestServer({ config: { ESCALATION_POLICY: 'escalate', ESCALATION_AFTER_MISSES: '2' }, now: clock.now });
    try {
      const say = citizen(strict.url, 'policy-misses');
      expect((await say('量子计算机原理')).outcome).toBe('unanswered');
      const second = await say('木星的卫星有几颗');
      expect(second.outcome).toBe('escalated');
      expect(second.replies.at(-1)?.text).toContain('您的咨询已转人工');
      expect((await strict.store.escalations.findOpen('policy-misses'))?.trigger).toBe('repeated_misses');
    } finally {
      await strict.stop();
    }
  });
});
