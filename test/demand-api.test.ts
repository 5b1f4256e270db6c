/**
 * The demand API over real HTTP: ranked topics with stable ids, a topic's questions and nearest entries, ignore,
 * FAQ draft (drafted → open again when rejected), add-to-entry (variants file + retrain), roles, and masked exports.
 * Runs on a copy of the sample knowledge base, since add-to-entry writes a file into it.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemandTopics } from '../src/demand/demand-topics.ts';
import { csvField } from '../src/server/demand-routes.ts';
import { citizen, createStaff, login, type StaffClient } from './support/staff-client.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

let server: TestServer;
let knowledgeDir: string;
let supervisor: StaffClient;
let admin: StaffClient;
let agent: StaffClient;
let taxAgent: StaffClient;

const DAY = 86_400_000;
const ID_NUMBER = '110101199003071234';
const DOG = ['养犬登记怎么办理', '养犬登记在哪里办', '办理养犬登记需要什么材料', '养犬登记证去哪办', `我的身份证${ID_NUMBER}能办养犬登记吗`, '养犬登记要多少钱'];
const PARKING = ['公园停车场怎么收费', '公园停车收费标准是多少', '公园停车场收费吗'];

async function seed(texts: readonly string[], daysAgo: (i: number) => number, candidates: Array<{ entryId: string; score: number }>, channel = 'web'): Promise<void> {
  for (const [i, text] of texts.entries()) {
    await server.store.demand.record({
      conversationId: `seed-${text}`,
      channel,
      lang: 'zh',
      text,
      reason: 'no_match',
      candidates,
      createdAt: new Date(Date.now() - daysAgo(i) * DAY),
    });
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TopicBody = any;
const findDog = (topics: TopicBody[]) => topics.find((t) => t.representatives.some((k: string) => /养犬/.test(k)));

beforeAll(async () => {
  knowledgeDir = join(mkdtempSync(join(tmpdir(), 'huiying-demand-')), 'knowledge');
  cpSync('knowledge', knowledgeDir, { recursive: true });
  server = await startTestServer({ config: { KNOWLEDGE_DIR: knowledgeDir } });
  await seed(DOG, (i) => (i < 4 ? 1 : 10 + i), [{ entryId: 'household-residence-permit-application', score: 0.31 }, { entryId: 'household-hukou-transfer', score: 0.2 }]);
  await seed(PARKING, (i) => 2 + i, [], 'telegram');
  await createStaff(server.store, 'dm-super', 'supervisor', []);
  await createStaff(server.store, 'dm-admin', 'admin', []);
  await createStaff(server.store, 'dm-agent', 'agent', ['public-security']);
  await createStaff(server.store, 'dm-tax', 'agent', ['taxation']);
  supervisor = await login(server.url, 'dm-super');
  admin = await login(server.url, 'dm-admin');
  agent = await login(server.url, 'dm-agent');
  taxAgent = await login(server.url, 'dm-tax');
});

afterAll(async () => {
  await server?.stop();
  if (knowledgeDir) rmSync(join(knowledgeDir, '..'), { recursive: true, force: true });
});

describe('demand topics API', () => {
  it('ranks topics with weekly counts, masked texts and departments, and keeps ids stable', async () => {
    const res = await supervisor.get('/api/v1/demand/topics');
    expect(res.status).toBe(200);
    expect(res.body.signals).toBe(DOG.length + PARKING.length);
    const dog = findDog(res.body.topics);
    expect(dog).toBeDefined();
    expect(dog.size).toBe(DOG.length);
    expect(dog.weekly).toHaveLength(8);
    expect(dog.weekly.reduce((a: number, b: number) => a + b, 0)).toBe(DOG.length);
    expect(dog.weekly[7]).toBe(4);
    expect(dog.department).toBe('public-security');
    expect(dog.status).toBe('open');
    expect(dog.channels).toEqual([{ channel: 'web', count: DOG.length }]);
    expect(JSON.stringify(res.body)).not.toContain(ID_NUMBER);
    const parking = res.body.topics.find((t: TopicBody) => t.id !== dog.id);
    expect(parking?.department).toBeNull();

    // A new signal invalidates the cache; the topic keeps its id.
    await seed(['养犬登记怎么办'], () => 0, []);
    const again = await supervisor.get('/api/v1/demand/topics');
    const dogAgain = findDog(again.body.topics);
    expect(dogAgain.id).toBe(dog.id);
    expect(dogAgain.size).toBe(DOG.length + 1);

    // The state is saved: a fresh instance (a restarted server) gives the same ids.
    const restarted = await new DemandTopics(server.store, () => undefined).group({});
    expect(restarted.topics.map((t) => t.id)).toContain(dog.id);

    // Filters: channel, kind, department.
    const telegram = await supervisor.get('/api/v1/demand/topics?channel=telegram');
    expect(findDog(telegram.body.topics)).toBeUndefined();
    expect((await supervisor.get(`/api/v1/demand/topics?department=public-security`)).body.topics.map((t: TopicBody) => t.id)).toEqual([dog.id]);
    expect((await supervisor.get('/api/v1/demand/topics?kind=建言')).body.topics.map((t: TopicBody) => t.id)).not.toContain(dog.id);
    expect((await supervisor.get('/api/v1/demand/topics?from=nonsense')).status).toBe(400);
    // A short period leaves the older messages out.
    const lastWeek = await supervisor.get(`/api/v1/demand/topics?from=${new Date(Date.now() - 7 * DAY).toISOString()}`);
    expect(findDog(lastWeek.body.topics)?.size).toBe(5);

    // Agents see their departments' topics and those without a likely department.
    expect(findDog((await agent.get('/api/v1/demand/topics')).body.topics)?.id).toBe(dog.id);
    const tax = (await taxAgent.get('/api/v1/demand/topics')).body.topics;
    expect(findDog(tax)).toBeUndefined();
    expect(tax.map((t: TopicBody) => t.id)).toContain(parking.id);
    expect((await taxAgent.get(`/api/v1/demand/topics/${dog.id}`)).status).toBe(404);
  });

  it('shows a topic with its masked questions and the nearest entries', async () => {
    const dog = findDog((await supervisor.get('/api/v1/demand/topics')).body.topics);
    const res = await agent.get(`/api/v1/demand/topics/${dog.id}`);
    expect(res.status).toBe(200);
    expect(res.body.questions).toHaveLength(DOG.length + 1);
    expect(res.body.questions.some((q: { text: string }) => q.text.includes('身份证110') && !q.text.includes(ID_NUMBER))).toBe(true);
    expect(res.body.nearestEntries[0]).toMatchObject({ entryId: 'household-residence-permit-application', signals: DOG.length, bestScore: 0.31, department: 'public-security' });
    expect(res.body.nearestEntries[0].title).toBeTruthy();
    expect(res.body.draftSuggestion.department).toBe('public-security');
    expect(res.body.draftSuggestion.questions).toContain('养犬登记在哪里办');
    expect((await agent.get('/api/v1/demand/topics/t-nothing')).status).toBe(404);
  });

  it('ignores a topic: it leaves the ranked list and stays out on later groupings', async () => {
    const list = (await supervisor.get('/api/v1/demand/topics')).body.topics;
    const parking = list.find((t: TopicBody) => /停车/.test(t.label));
    expect(parking).toBeDefined();
    expect((await supervisor.post(`/api/v1/demand/topics/${parking.id}/ignore`, {})).status).toBe(400);
    const ignored = await supervisor.post(`/api/v1/demand/topics/${parking.id}/ignore`, { reason: '不属于政务服务' });
    expect(ignored.status).toBe(200);
    expect(ignored.body.topic.status).toBe('ignored');
    await seed(['公园停车场收费多少钱'], () => 0, [], 'telegram');
    const after = (await supervisor.get('/api/v1/demand/topics')).body.topics;
    expect(after.map((t: TopicBody) => t.id)).not.toContain(parking.id);
    const ignoredList = (await supervisor.get('/api/v1/demand/topics?status=ignored')).body.topics;
    expect(ignoredList).toHaveLength(1);
    expect(ignoredList[0]).toMatchObject({ id: parking.id, reason: '不属于政务服务', size: PARKING.length + 1 });
  });

  it('creates an FAQ draft from a topic; the topic is drafted, and open again when the draft is rejected', async () => {
    const dog = findDog((await agent.get('/api/v1/demand/topics')).body.topics);
    expect((await agent.post(`/api/v1/demand/topics/${dog.id}/faq-draft`, { answer: 'x', department: 'nowhere' })).status).toBe(400);
    expect((await agent.post(`/api/v1/demand/topics/${dog.id}/faq-draft`, { dueAt: 'next week' })).body.message).toMatch(/^dueAt: /);
    const created = await agent.post(`/api/v1/demand/topics/${dog.id}/faq-draft`, { answer: '到居住地派出所办理犬只登记证。' });
    expect(created.status).toBe(201);
    expect(created.body.draft).toMatchObject({ department: 'public-security', title: dog.label, status: 'draft', escalationId: null });
    expect(created.body.draft.questions).toContain('养犬登记怎么办理');
    expect(created.body.draft.questions.join()).not.toContain(ID_NUMBER);
    expect(created.body.topic.status).toBe('drafted');
    expect(findDog((await agent.get('/api/v1/demand/topics?status=drafted')).body.topics)?.draftId).toBe(created.body.draft.id);
    expect((await admin.post(`/api/v1/faq-drafts/${created.body.draft.id}/reject`)).status).toBe(200);
    expect(findDog((await agent.get('/api/v1/demand/topics')).body.topics)?.status).toBe('open');
  });

  it('quotes CSV fields and defuses formulas', () => {
    expect(csvField('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField(null)).toBe('""');
    expect(csvField(12)).toBe('"12"');
  });

  it('exports topics and masked questions as CSV (BOM, quoting) and JSON', async () => {
    const csv = await fetch(`${server.url}/api/v1/demand/export.csv`, { headers: { cookie: supervisor.cookie } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const body = bytes.toString('utf8');
    expect(body).not.toContain(ID_NUMBER);
    expect(body).toContain('"topic_id","label","kind","size","department","status","keywords","question","channel","reason","asked_at"\r\n');
    expect(body).toContain('"养犬登记在哪里办"');
    expect(body).toMatch(/"我的身份证110\*+34能办养犬登记吗"/);
    const json = await supervisor.get('/api/v1/demand/export.json');
    expect(json.status).toBe(200);
    expect(JSON.stringify(json.body)).not.toContain(ID_NUMBER);
    expect(findDog(json.body.topics).questions).toHaveLength(DOG.length + 1);
    expect((await fetch(`${server.url}/api/v1/demand/export.csv`)).status).toBe(401);
  });

  it('lets only supervisors and admins read the dashboard', async () => {
    expect((await agent.get('/api/v1/demand/dashboard')).status).toBe(403);
    const res = await supervisor.get('/api/v1/demand/dashboard');
    expect(res.status).toBe(200);
    expect(res.body.perDay).toHaveLength(30);
    expect(res.body.topTopics.length).toBeGreaterThan(0);
  });

  it('adds a topic\'s questions to an existing entry (admins), and the retrained bot answers them', { timeout: 240_000 }, async () => {
    const dog = findDog((await admin.get('/api/v1/demand/topics')).body.topics);
    expect((await agent.post(`/api/v1/demand/topics/${dog.id}/add-to-entry`, { entryId: 'household-hukou-transfer' })).status).toBe(403);
    expect((await admin.post(`/api/v1/demand/topics/${dog.id}/add-to-entry`, { entryId: 'no-such-entry' })).status).toBe(400);
    const added = await admin.post(`/api/v1/demand/topics/${dog.id}/add-to-entry`, {
      entryId: 'household-residence-permit-application',
      questions: ['养犬登记在哪里办', '养犬登记证去哪办'],
    });
    expect(added.status).toBe(200);
    expect(added.body.topic.status).toBe('covered');
    const file = join(knowledgeDir, 'published', 'variants-household-residence-permit-application.yaml');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('养犬登记在哪里办');
    const entry = server.service.knowledgeBase.entries.find((e) => e.id === 'household-residence-permit-application');
    expect(entry?.questions.zh).toContain('养犬登记证去哪办');
    const reply = await citizen(server.url, 'dm-after-variants')('养犬登记在哪里办');
    expect(reply.outcome).toBe('answered');
    expect(findDog((await admin.get('/api/v1/demand/topics?status=covered')).body.topics)?.entryId).toBe('household-residence-permit-application');
  });
});
