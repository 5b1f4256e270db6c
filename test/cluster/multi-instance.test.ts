/**
 * Two real server processes on one database (one SQLite file, or PostgreSQL) and one Redis, as behind a load
 * balancer: what a citizen does on one instance and what staff do on the other meet.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { WidgetClient } from '../fakes/web-widget-client.ts';
import { SHARED_MODEL_CACHE } from '../support/paths.ts';
import { dropSchema, testPostgres, testSchema } from '../support/postgres.ts';
import { testPrefix, testRedis } from '../support/redis.ts';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createStaff, login, type StaffClient } from '../support/staff-client.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { eventually, startTestServer } from '../support/test-server.ts';

const redisUrl = await testRedis('several instances on one Redis');
const postgresUrl = await testPostgres('several instances on PostgreSQL');

/** The database the instances share: what they are started with, and how the test reads it. */
interface SharedDatabase {
  env: NodeJS.ProcessEnv;
  open(): Promise<Store>;
  drop(): Promise<void>;
}

const sqliteFile = (dir: string): SharedDatabase => ({
  env: {},
  open: async () => new SqliteStore(join(dir, 'huiying.db')),
  drop: async () => undefined,
});

/** A schema of its own on the test PostgreSQL, which the instances reach through DATABASE_URL's search_path. */
const postgresSchema = (url: string): SharedDatabase => {
  const schema = testSchema();
  return {
    env: { DATABASE_URL: `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` },
    open: () => PostgresStore.open(url, { schema }),
    drop: () => dropSchema(url, schema),
  };
};

const databases: Array<{ name: string; skip: boolean; shared: (dir: string) => SharedDatabase }> = [
  { name: 'one SQLite file', skip: !redisUrl, shared: sqliteFile },
  { name: 'PostgreSQL', skip: !redisUrl, shared: () => postgresSchema(postgresUrl) },
];

/** A staff console's live socket, recording its frames. */
async function liveSocket(url: string, cookie: string): Promise<{ frames: Array<Record<string, unknown>>; close: () => void }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/staff/live`, { headers: { cookie } });
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await eventually(() => frames.find((f) => f.type === 'hello'), 5000, 'the hello frame');
  return { frames, close: () => ws.close() };
}

async function caseOf(staff: StaffClient, conversationId: string): Promise<{ id: number; caseNumber: string }> {
  return eventually(async () => {
    const list = await staff.get('/api/v1/escalations');
    return (list.body.escalations as Array<{ id: number; caseNumber: string; conversationId: string }>).find((e) => e.conversationId === conversationId);
  }, 5000, `the case of ${conversationId}`);
}

describe.each(databases)('several instances on $name and one Redis', ({ skip, shared }) => {
  if (skip) {
    it.skip('needs Redis', () => undefined);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'huiying-cluster-'));
  const database = shared(dir);
  const prefix = testPrefix();
  let a: ServerProcess;
  let b: ServerProcess;
  const env = (instance: string): NodeJS.ProcessEnv => ({
    REDIS_URL: redisUrl!,
    REDIS_PREFIX: prefix,
    INSTANCE_ID: instance,
    ENGINE_THREADS: '0',
    MODEL_CACHE_DIR: SHARED_MODEL_CACHE,
    // A knowledge folder of its own, as on another machine.
    KNOWLEDGE_DIR: join(dir, `knowledge-${instance}`),
    ...database.env,
  });

  beforeAll(async () => {
    const store = await database.open();
    await createStaff(store, 'sup-a', 'supervisor', []);
    await createStaff(store, 'sup-b', 'supervisor', []);
    await createStaff(store, 'admin-a', 'admin', []);
    await store.close();
    for (const instance of ['a', 'b', 'c']) cpSync('knowledge', join(dir, `knowledge-${instance}`), { recursive: true });
    a = await startServerProcess({ dir, port: await freePort(), env: env('a') });
    b = await startServerProcess({ dir, port: await freePort(), env: env('b') });
  }, 240_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('both report Redis in their readiness', async () => {
    for (const server of [a, b]) {
      const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { checks: Record<string, string> };
      expect(ready.checks.cluster).toBe('ok');
    }
  });

  it('a staff reply typed on B reaches the citizen’s widget socket on A, and B’s console sees what the citizen types on A', async () => {
    const conversation = 'cluster-widget-0000001';
    const widget = await WidgetClient.connect(a.url, conversation);
    try {
      widget.send({ type: 'message', id: 'w1', text: '转人工' });
      await widget.waitFor((f) => f.type === 'ack' && f.id === 'w1');
      const staff = await login(b.url, 'sup-b');
      const opened = await caseOf(staff, `web:${conversation}`);
      expect((await staff.post(`/api/v1/escalations/${opened.id}/claim`)).status).toBe(200);
      const console = await liveSocket(b.url, staff.cookie);
      try {
        widget.send({ type: 'message', id: 'w2', text: '我的居住证过期了还能补办吗' });
        const seen = await eventually(() => console.frames.find((f) => f.type === 'message' && f.direction === 'in' && f.escalationId === opened.id), 5000, 'the citizen’s message on B');
        expect(seen.text).toBe('我的居住证过期了还能补办吗');
      } finally {
        console.close();
      }
      const reply = await staff.post(`/api/v1/escalations/${opened.id}/messages`, { text: '您好，我是客服小李，可以补办。' });
      expect(reply.status).toBe(200);
      const pushed = await widget.waitFor((f) => f.type === 'messages' && f.messages.some((m) => m.text.includes('客服小李')));
      expect(pushed.type).toBe('messages');
    } finally {
      await widget.close();
    }
  });

  it('a message retried on the other instance with the same messageId is answered once', async () => {
    const body = JSON.stringify({ conversationId: 'cluster-api-1', text: '居住证怎么办理', messageId: 'retry-1' });
    const post = (url: string) => fetch(`${url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.json() as Promise<{ duplicate?: boolean }>);
    const first = await post(a.url);
    const again = await post(b.url);
    expect(first.duplicate).toBeFalsy();
    expect(again.duplicate).toBe(true);
    const staffRead = await database.open();
    try {
      expect((await staffRead.messages.listByConversation('cluster-api-1')).filter((m) => m.direction === 'in')).toHaveLength(1);
    } finally {
      await staffRead.close();
    }
  });

  it('two staff claiming one case on two instances: exactly one wins', async () => {
    await fetch(`${a.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conversationId: 'cluster-api-2', text: '转人工' }) });
    const onA = await login(a.url, 'sup-a');
    const onB = await login(b.url, 'sup-b');
    const opened = await caseOf(onA, 'cluster-api-2');
    const statuses = (await Promise.all([onA.post(`/api/v1/escalations/${opened.id}/claim`), onB.post(`/api/v1/escalations/${opened.id}/claim`)])).map((r) => r.status);
    expect(statuses.sort()).toEqual([200, 409]);
  });

  it('an entry published on A is answered on B, whose knowledge folder is its own (another machine)', { timeout: 240_000 }, async () => {
    const question = '宠物医院夜间急诊电话是多少';
    const store = await database.open();
    let draftId: number;
    try {
      const author = (await store.staff.findByName('sup-a'))!;
      const draft = await store.faqDrafts.add({ escalationId: null, department: 'medical-insurance', lang: 'zh', title: '宠物夜间急诊', questions: [question, '晚上宠物生病去哪里看'], answer: '夜间急诊请拨打 12345 转宠物医疗热线。', createdBy: author.id }, new Date());
      await store.faqDrafts.submit(draft.id, author.id, new Date());
      draftId = draft.id;
    } finally {
      await store.close();
    }
    const admin = await login(a.url, 'admin-a');
    const published = await admin.post(`/api/v1/faq-drafts/${draftId}/publish`, { notify: false });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    const entryId = published.body.entryId as string;
    const started = Date.now();
    const answer = await eventually(async () => {
      const res = await fetch(`${b.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conversationId: `cluster-kb-${Date.now()}`, text: question }) });
      const body = (await res.json()) as { outcome: string; replies: Array<{ entryId?: string; text: string }> };
      return body.replies.some((r) => r.entryId === entryId) ? body : undefined;
    }, 200_000, 'B answering the entry published on A');
    console.log(`entry published on A answered on B after ${Date.now() - started} ms`);
    expect(answer.outcome).toBe('answered');
    expect(existsSync(join(dir, 'knowledge-b', 'published', `${entryId}.yaml`))).toBe(true);
  });

  it('refuses to start an instance whose DATA_KEY differs from the others’', async () => {
    const other = Buffer.alloc(32, 7).toString('base64');
    const started = startServerProcess({ dir, port: await freePort(), env: { ...env('c'), DATA_KEY: other }, readyTimeoutMs: 60_000 });
    await expect(started).rejects.toThrow(/DATA_KEY is not the one the other instances .* use/);
  });
});

describe.skipIf(!redisUrl)('an instance whose Redis goes away mid-run', () => {
  it('reports it in /readyz (503), keeps answering citizens, and is ready again once Redis is back', async () => {
    const target = new URL(redisUrl!);
    const proxy = await TcpProxy.start(await freePort(), { host: target.hostname, port: Number(target.port || 6379) });
    const server = await startTestServer({ config: { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_PREFIX: testPrefix(), RATE_LIMIT_IP_PER_MINUTE: '30' } });
    const ask = (id: string) =>
      fetch(`${server.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conversationId: id, text: '居住证怎么办理' }) });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/^huiying_redis_up 1$/m);
      await proxy.down();
      const notReady = await eventually(async () => {
        const r = await fetch(`${server.url}/readyz`);
        return r.status === 503 ? ((await r.json()) as { reason: string }) : undefined;
      }, 5000, 'readiness to notice');
      expect(notReady.reason).toMatch(/redis is/);
      expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/^huiying_redis_up 0$/m);
      expect((await ask('redis-gone-0001')).status).toBe(200);
      await proxy.up();
      await eventually(async () => ((await fetch(`${server.url}/readyz`)).status === 200 ? true : undefined), 10_000, 'readiness after Redis is back');
      expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/^huiying_redis_up 1$/m);
      expect((await ask('redis-gone-0002')).status).toBe(200);
    } finally {
      await server.stop();
      await proxy.down();
    }
  });
});

describe('an instance whose Redis is down', () => {
  it('starts, answers citizens, and says in /readyz (503) that Redis cannot be reached', async () => {
    const server = await startTestServer({ config: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, RATE_LIMIT_IP_PER_MINUTE: '30' } });
    try {
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reason: string }).reason).toMatch(/redis is/);
      const answer = await fetch(`${server.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conversationId: 'redis-down-1', text: '居住证怎么办理' }) });
      expect(answer.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
