/**
 * The demand log counts people, not messages, over real HTTP on a real server: one address sending "测试1".."测试65"
 * (a new conversation each time, as a script on the HTTP API does) is a flood, marked and left out of the topics; a
 * question repeated five times in one conversation counts once; a question followed by 转人工 is one signal with both
 * reasons; and a question asked by several conversations ranks above one a single conversation keeps repeating.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, login, type StaffClient } from '../support/staff-client.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let supervisor: StaffClient;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

/** A citizen on the HTTP API behind the proxy, at `address`; a new conversation per message when `conversationId` is absent. */
async function ask(address: string, text: string, conversationId?: string): Promise<Body> {
  const res = await fetch(`${server.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ text, ...(conversationId ? { conversationId } : {}) }),
  });
  expect(res.status).toBe(200);
  return res.json();
}

const DOG = ['养犬登记怎么办理', '养犬登记在哪里办', '办理养犬登记需要什么材料', '养犬登记证去哪办'];
const PARKING = ['公园停车场怎么收费', '公园停车收费标准是多少', '公园停车场收费吗'];
const mentions = (topic: Body, pattern: RegExp): boolean => topic.representatives.some((r: string) => pattern.test(r));

beforeAll(async () => {
  server = await startTestServer({ config: { TRUST_PROXY: 'loopback' } });
  await createStaff(server.store, 'flood-super', 'supervisor', []);
  supervisor = await login(server.url, 'flood-super');

  // The flood: 65 near-identical texts from one address, each in a new conversation.
  for (let i = 1; i <= 65; i++) await ask('198.51.100.66', `测试${i}`);
  // Four citizens ask about dog registration, once each; the first repeats it five times, the last then asks for a person.
  for (const [i, text] of DOG.entries()) {
    const times = i === 0 ? 5 : 1;
    for (let n = 0; n < times; n++) await ask(`203.0.113.${10 + i}`, text, `dog-citizen-${i}`);
  }
  await ask('203.0.113.13', '转人工', 'dog-citizen-3');
  // One citizen asks about park parking five times, two others once: three people, seven messages.
  for (let n = 0; n < 5; n++) await ask('203.0.113.20', PARKING[0]!, 'parking-citizen-0');
  await ask('203.0.113.21', PARKING[1]!, 'parking-citizen-1');
  await ask('203.0.113.22', PARKING[2]!, 'parking-citizen-2');
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('demand signals count people, not messages', () => {
  it('every question was logged: the bot had no answer', async () => {
    const logged = await server.store.demand.list({ limit: 1000 });
    expect(logged.filter((s) => s.text.startsWith('测试'))).toHaveLength(65);
    expect(logged.filter((s) => DOG.includes(s.text))).toHaveLength(4 + 4 + 1);
    // The address is kept only as a keyed hash, the same for one address.
    const flood = logged.filter((s) => s.text.startsWith('测试'));
    expect(new Set(flood.map((s) => s.sourceKey)).size).toBe(1);
    expect(flood[0]!.sourceKey).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const row = server.store.db.prepare("SELECT * FROM demand_signals WHERE text = '测试1'").get();
    expect(JSON.stringify(row)).not.toContain('198.51.100.66');
  });

  it('ranks topics by the people who asked: the flood is not a topic, repeats count once', async () => {
    const res = await supervisor.get('/api/v1/demand/topics');
    expect(res.status).toBe(200);
    const topics: Body[] = res.body.topics;
    expect(topics.some((t) => mentions(t, /测试/))).toBe(false);
    expect(res.body.floods).toEqual({ messages: 65, sources: 1 });
    const [first, second] = topics;
    expect(mentions(first, /养犬/)).toBe(true);
    expect(first.size).toBe(4);
    expect(first.messages).toBe(9);
    expect(first.weekly[7]).toBe(4);
    expect(mentions(second, /停车/)).toBe(true);
    expect(second.size).toBe(3);
    expect(second.messages).toBe(7);
  });

  it('a question followed by 转人工 is one signal with both reasons; a question asked five times is one', async () => {
    const dog = (await supervisor.get('/api/v1/demand/topics')).body.topics[0];
    const detail = await supervisor.get(`/api/v1/demand/topics/${dog.id}`);
    const questions: Body[] = detail.body.questions;
    expect(questions).toHaveLength(4);
    const escalated = questions.find((q) => q.text === DOG[3]);
    expect(escalated).toMatchObject({ reasons: ['no_match', 'asked_for_human'], messages: 2 });
    expect(questions.find((q) => q.text === DOG[0])).toMatchObject({ reasons: ['no_match'], messages: 5 });
  });

  it('lists the flood for the console: its source, size and texts', async () => {
    const res = await supervisor.get('/api/v1/demand/floods');
    expect(res.status).toBe(200);
    expect(res.body.messages).toBe(65);
    expect(res.body.floods).toHaveLength(1);
    const [flood] = res.body.floods;
    expect(flood).toMatchObject({ source: 'address', channel: 'api', pattern: '测试', messages: 65, conversations: 65 });
    expect(flood.texts.map((t: Body) => t.text)).toContain('测试65');
  });

  it('the dashboard follows: the flood is not a top topic, and the misses are counted once', async () => {
    const res = await supervisor.get('/api/v1/demand/dashboard');
    expect(res.status).toBe(200);
    expect(res.body.topTopics[0].size).toBe(4);
    expect(res.body.topTopics.map((t: Body) => t.label).join(' ')).not.toContain('测试');
    expect(res.body.demand).toMatchObject({ signals: 65 + 9 + 7, floodMessages: 65, floods: 1 });
    const misses = res.body.perDepartment.reduce((n: number, d: Body) => n + d.unanswered, 0);
    expect(misses).toBe(4 + 3);
  });
});
