/**
 * FAQ drafts from a demand topic over real HTTP, with Telegram and WeChat citizens: the topic's departments (knowledge
 * base and resolved escalations), a draft without an answer assigned to the department with a due date in working
 * days, editing and submitting by that department only, publishing by an administrator (answer required, the running
 * bot retrains, the topic becomes covered) and telling the citizens who asked — on Telegram, in the API history, but
 * not on WeChat after the 48-hour window — never twice. Runs on a copy of the sample knowledge base.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramChannel } from '../channels/telegram/index.ts';
import { wechatChannel } from '../channels/wechat/index.ts';
import { notifyAskers } from '../src/demand/answer-notices.ts';
import { addBusinessDays } from '../src/handoff/business-days.ts';
import { loadServiceHours } from '../src/handoff/handoff-settings.ts';
import { startFakeTelegramApi, textUpdate, type FakeTelegramApi } from './fakes/telegram-api.ts';
import { startFakeWeChatApi, type FakeWeChatApi } from './fakes/wechat-api.ts';
import { WeChatCallbackClient } from './fakes/wechat-callback.ts';
import { citizen, createStaff, login, type StaffClient } from './support/staff-client.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const TG_TOKEN = '123456789:drafts-test-token';
const TG_SECRET = 'drafts-secret_1';
const WX = { token: 'huiyingtoken', appId: 'wx1234567890abcdef', appSecret: 'secret-0123456789' };
const DAY = 86_400_000;
const ANSWER = '养犬登记请在取得犬只免疫证明后30日内，到居住地派出所或“云州养犬”小程序办理，办理时带上身份证和免疫证明。';
const WECHAT_OLD = 'oCitizenOldOpenId01';
const API_CITIZEN = 'drafts-api-citizen-01';

let telegram: FakeTelegramApi;
let weixin: FakeWeChatApi;
let server: TestServer;
let knowledgeDir: string;
let agent: StaffClient;
let taxAgent: StaffClient;
let admin: StaffClient;
let updateId = 700_000;

async function telegramSays(chatId: number, text: string): Promise<void> {
  const res = await fetch(`${server.url}/channels/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET },
    body: JSON.stringify(textUpdate({ updateId: updateId++, chatId, text })),
  });
  expect(res.status).toBe(200);
}

/** Resolves a case of the conversation in a department, as staff would have. */
async function resolvedCase(conversationId: string, channel: string, department: string): Promise<void> {
  const { escalation } = await server.store.escalations.open({
    conversationId,
    channel,
    department,
    trigger: 'asked_for_human',
    question: '养犬登记',
    candidates: [],
    createdAt: new Date(),
    dueAt: new Date(),
    caseDay: '20261126',
  });
  expect(await server.store.escalations.transition(escalation.id, ['pending'], 'resolved', { resolvedAt: new Date() })).toBe(true);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;
const dogTopic = async (client: StaffClient, status = ''): Promise<Body> =>
  (await client.get(`/api/v1/demand/topics${status ? `?status=${status}` : ''}`)).body.topics.find((t: Body) => /养犬/.test(t.label));

beforeAll(async () => {
  knowledgeDir = join(mkdtempSync(join(tmpdir(), 'huiying-drafts-')), 'knowledge');
  cpSync('knowledge', knowledgeDir, { recursive: true });
  telegram = await startFakeTelegramApi(TG_TOKEN);
  weixin = await startFakeWeChatApi({ appId: WX.appId, appSecret: WX.appSecret });
  server = await startTestServer({
    channels: [telegramChannel, wechatChannel],
    config: { KNOWLEDGE_DIR: knowledgeDir },
    env: {
      ...telegram.webhookEnv(TG_SECRET),
      WECHAT_TOKEN: WX.token,
      WECHAT_APP_ID: WX.appId,
      WECHAT_APP_SECRET: WX.appSecret,
      WECHAT_API_BASE: weixin.url,
    },
  });
  await createStaff(server.store, 'fd-agent', 'agent', ['public-security']);
  await createStaff(server.store, 'fd-tax', 'agent', ['taxation']);
  await createStaff(server.store, 'fd-admin', 'admin', []);
  agent = await login(server.url, 'fd-agent');
  taxAgent = await login(server.url, 'fd-tax');
  admin = await login(server.url, 'fd-admin');

  // Four citizens ask what the sample knowledge base cannot answer: two on Telegram, one on the API, and one on
  // WeChat whose last message is 50 hours old (WeChat lets the bot write for 48 hours after it).
  await telegramSays(7001, '养犬登记怎么办理');
  await telegramSays(7002, '养犬登记办理流程');
  expect(['unanswered', 'clarify']).toContain((await citizen(server.url, API_CITIZEN)('养犬登记怎么办')).outcome);
  const wechat = new WeChatCallbackClient({ url: `${server.url}/channels/wechat`, token: WX.token, appId: WX.appId });
  const old = String(Math.floor((Date.now() - 50 * 3_600_000) / 1000));
  await wechat.post({ ToUserName: wechat.accountId, FromUserName: WECHAT_OLD, CreateTime: old, MsgType: 'text', Content: '养犬登记需要带什么', MsgId: '7100000000000000001' });
  expect((await server.store.demand.list()).length).toBe(4);
  // People resolved two of these conversations' escalations in public security.
  await resolvedCase('telegram:7002', 'telegram', 'public-security');
  await resolvedCase(API_CITIZEN, 'api', 'public-security');
});

afterAll(async () => {
  await server?.stop();
  await telegram?.stop();
  await weixin?.stop();
  if (knowledgeDir) rmSync(join(knowledgeDir, '..'), { recursive: true, force: true });
});

describe('FAQ drafts from a demand topic', () => {
  it('suggests the departments where escalations of the topic were resolved', async () => {
    const topic = await dogTopic(agent);
    expect(topic).toBeDefined();
    expect(topic.size).toBe(4);
    expect(topic.lang).toBe('zh');
    expect(topic.department).toBe('public-security');
    expect(topic.departments[0]).toMatchObject({ department: 'public-security', resolved: 2 });
    const detail = await agent.get(`/api/v1/demand/topics/${topic.id}`);
    expect(detail.body.draftSuggestion.department).toBe('public-security');
  });

  it('creates a draft without an answer, assigned to the department and due in 5 working days; only that department edits it', async () => {
    const topic = await dogTopic(agent);
    const created = await agent.post(`/api/v1/demand/topics/${topic.id}/faq-draft`, {});
    expect(created.status).toBe(201);
    const draft = created.body.draft;
    expect(draft).toMatchObject({ department: 'public-security', answer: '', status: 'draft', topicId: topic.id, submittedAt: null, overdue: false, askedBy: 4 });
    expect(JSON.stringify(draft)).not.toContain(WECHAT_OLD);
    expect(draft.questions).toEqual(expect.arrayContaining(['养犬登记怎么办理', '养犬登记需要带什么']));
    const due = Date.parse(draft.dueAt);
    expect(due).toBe(addBusinessDays(loadServiceHours(knowledgeDir), new Date(Date.parse(draft.createdAt)), 5).getTime());
    expect(due - Date.now()).toBeGreaterThan(5 * DAY);
    expect(created.body.topic.status).toBe('drafted');

    // Another department's agent neither sees nor edits it.
    expect((await taxAgent.get('/api/v1/faq-drafts?status=draft')).body.drafts.map((d: Body) => d.id)).not.toContain(draft.id);
    expect((await taxAgent.post(`/api/v1/faq-drafts/${draft.id}/submit`)).status).toBe(403);
    const mine = (await agent.get('/api/v1/faq-drafts?status=draft')).body.drafts;
    expect(mine.map((d: Body) => d.id)).toContain(draft.id);

    // Neither submitting nor publishing works without an answer.
    const noAnswer = await agent.post(`/api/v1/faq-drafts/${draft.id}/submit`);
    expect(noAnswer.status).toBe(400);
    expect(noAnswer.body.message).toMatch(/^answer: /);
    expect((await admin.post(`/api/v1/faq-drafts/${draft.id}/publish`, { notify: true })).status).toBe(400);

    const patch = (body: unknown) => fetch(`${server.url}/api/v1/faq-drafts/${draft.id}`, {
      method: 'PATCH',
      headers: { cookie: agent.cookie, 'x-csrf-token': agent.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Body }));
    expect((await patch({})).body.message).toMatch(/nothing to change/);
    expect((await patch({ department: 'nowhere' })).status).toBe(400);
    expect((await patch({ dueAt: 'soon' })).status).toBe(400);
    const late = await patch({ dueAt: new Date(Date.now() - DAY).toISOString().slice(0, 10) });
    expect(late.status).toBe(200);
    expect(late.body.draft.overdue).toBe(true);
    const edited = await patch({ title: '养犬登记办理', answer: ANSWER, dueAt: new Date(Date.now() + 3 * DAY).toISOString().slice(0, 10) });
    expect(edited.status).toBe(200);
    expect(edited.body.draft).toMatchObject({ title: '养犬登记办理', answer: ANSWER, overdue: false });

    const submitted = await agent.post(`/api/v1/faq-drafts/${draft.id}/submit`);
    expect(submitted.status).toBe(200);
    expect(submitted.body.draft.submittedAt).not.toBeNull();
    expect((await agent.post(`/api/v1/faq-drafts/${draft.id}/publish`, {})).status).toBe(403);
  });

  it('publishes: the bot answers without a restart, the topic is covered, and the citizens who asked are told once', { timeout: 300_000 }, async () => {
    const draft = (await agent.get('/api/v1/faq-drafts?status=draft')).body.drafts.find((d: Body) => d.title === '养犬登记办理');
    expect((await admin.post(`/api/v1/faq-drafts/${draft.id}/publish`, { notify: 'yes' })).status).toBe(400);
    const published = await admin.post(`/api/v1/faq-drafts/${draft.id}/publish`, { notify: true });
    expect(published.status).toBe(200);
    expect(published.body.draft.status).toBe('published');
    const notices = (await server.store.faqDrafts.notices(draft.id)).map((n) => [n.conversationId, n.status, n.reason]);
    expect(notices.sort()).toEqual([
      [API_CITIZEN, 'sent', null],
      ['telegram:7001', 'sent', null],
      ['telegram:7002', 'sent', null],
      [`wechat:${WECHAT_OLD}`, 'skipped', 'window_closed'],
    ]);
    expect(published.body.notifications).toEqual({ sent: 3, skipped: 1, failed: 0, alreadyNotified: 0 });

    // Telegram citizens get the answer with a lead-in; the API citizen finds it in the history; the WeChat citizen
    // outside the 48-hour window is not written to.
    for (const chat of [7001, 7002]) {
      const last = String(telegram.sentTo(chat).at(-1)?.text);
      expect(last).toContain('您之前咨询的“养犬登记办理”，现在有答复了');
      expect(last).toContain('云州养犬');
    }
    const history = (await (await fetch(`${server.url}/api/v1/conversations/${API_CITIZEN}/messages`)).json()) as Body;
    expect(JSON.stringify(history)).toContain('云州养犬');
    expect(weixin.messagesFor(WECHAT_OLD).some((m) => String(m.content).includes('云州养犬'))).toBe(false);
    expect((await admin.get(`/api/v1/faq-drafts/${draft.id}`)).body.notices).toEqual({ sent: 3, skipped: 1, failed: 0, pending: 0 });

    // Never twice for one publication.
    const before = telegram.sentTo(7001).length;
    const again = await notifyAskers(
      { store: server.store, deliver: (c, r, o) => server.outbound.deliver(c, r, o), replyWindowHours: (c) => server.outbound.replyWindowHours(c) },
      { draftId: draft.id, entryId: published.body.entryId, title: draft.title, answer: ANSWER },
      [{ conversationId: 'telegram:7001', channel: 'telegram', lang: 'zh' }],
    );
    expect(again).toEqual({ sent: 0, skipped: 0, failed: 0, alreadyNotified: 1 });
    expect(telegram.sentTo(7001)).toHaveLength(before);
    expect((await admin.post(`/api/v1/faq-drafts/${draft.id}/publish`, { notify: true })).status).toBe(404);

    // The running bot answers; the topic is covered.
    const after = await citizen(server.url, 'drafts-api-citizen-02')('养犬登记怎么办理');
    expect(after.outcome).toBe('answered');
    expect(after.replies[0]?.text).toContain('云州养犬');
    expect((await dogTopic(agent, 'covered'))?.entryId).toBe(published.body.entryId);

    const audit = (await admin.get('/api/v1/audit')).body.entries.filter((e: Body) => e.target === `draft ${draft.id}` || e.target === published.body.entryId);
    expect(audit.map((e: Body) => e.action).reverse()).toEqual(['faq_draft', 'faq_draft_edit', 'faq_draft_edit', 'faq_draft_submit', 'publish', 'faq_notify']);
    expect(audit.find((e: Body) => e.action === 'faq_notify').detail).toBe('sent 3, skipped 1, failed 0');
  });
});
