import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startServer, type RunningServer } from '../src/server/start-server.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

let server: RunningServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'huiying-http-'));
  cpSync('knowledge', join(dir, 'knowledge'), { recursive: true });
  const config = loadConfig({
    PORT: '0',
    DATABASE_PATH: join(dir, 'test.db'),
    KNOWLEDGE_DIR: join(dir, 'knowledge'),
    MODEL_CACHE_DIR: join(dir, 'models'),
    MAX_MESSAGE_LENGTH: '500',
  });
  server = await startServer(config, { logger: createLogger('silent') });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: string, contentType = 'application/json') =>
  fetch(`${server.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': contentType }, body });

describe('HTTP API', () => {
  it('answers a question and keeps the conversation', async () => {
    const res = await post(JSON.stringify({ text: '居住证怎么办理?' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { conversationId: string; outcome: string; replies: Array<{ text: string }> };
    expect(body.outcome).toBe('answered');
    expect(body.replies[0]?.text).toContain('居住证');
    const follow = await post(JSON.stringify({ conversationId: body.conversationId, text: '需要什么材料' }));
    expect(((await follow.json()) as { replies: Array<{ text: string }> }).replies[0]?.text).toContain('所需材料');
    const history = await fetch(`${server.url}/api/v1/conversations/${body.conversationId}/messages`);
    const h = (await history.json()) as { messages: Array<{ direction: string }> };
    expect(h.messages.map((m) => m.direction)).toEqual(['in', 'out', 'in', 'out']);
  });

  it.each([
    ['invalid JSON', '{"text": ', 'not valid JSON'],
    ['missing text', '{}', 'text'],
    ['text of the wrong type', '{"text": 42}', 'text'],
    ['empty text', '{"text": "   "}', 'empty'],
    ['oversized text', JSON.stringify({ text: '办'.repeat(501) }), 'at most 500'],
    ['bad language', '{"text": "hi", "lang": "fr"}', 'lang'],
    ['unknown field', '{"text": "hi", "admin": true}', 'admin'],
    ['bad conversation id', '{"text": "hi", "conversationId": "../../etc"}', 'conversationId'],
  ])('rejects %s with a 400 and a clear message', async (_name, body, message) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain(message);
  });

  it('replies in the requested language while understanding the text in the language it is written in', async () => {
    // "OK" is small talk in English; asked for Chinese replies (the Chinese widget), the reply is Chinese small talk.
    const res = await post(JSON.stringify({ text: 'OK', lang: 'zh' }));
    const body = (await res.json()) as { outcome: string; lang: string; replies: Array<{ text: string }> };
    expect(body.lang).toBe('zh');
    expect(body.outcome).toBe('smalltalk');
    expect(body.replies[0]?.text).toMatch(/\p{Script=Han}/u);
  });

  it('rejects a body over the size limit with 413 and keeps serving', async () => {
    const res = await post(JSON.stringify({ text: 'x'.repeat(100_000) }));
    expect(res.status).toBe(413);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('masks personal data before it is stored', async () => {
    const res = await post(JSON.stringify({ text: '我的身份证号11010519491231002X手机13812345678，低保怎么申请' }));
    const { conversationId } = (await res.json()) as { conversationId: string };
    const history = (await (await fetch(`${server.url}/api/v1/conversations/${conversationId}/messages`)).json()) as {
      messages: Array<{ text: string }>;
    };
    expect(history.messages[0]?.text).not.toContain('11010519491231002X');
    expect(history.messages[0]?.text).not.toContain('13812345678');
    const { store } = server;
    if (!(store instanceof SqliteStore)) throw new Error('this test reads the SQLite file the server was started with');
    const raw = store.db.prepare('SELECT group_concat(text) AS t FROM messages').get() as { t: string };
    expect(raw.t).not.toContain('13812345678');
  });

  it('answers a platform retry (same messageId) only once', async () => {
    const body = JSON.stringify({ conversationId: 'retry-conversation-1', text: '公积金怎么提取', messageId: 'm-1' });
    const first = (await (await post(body)).json()) as { replies: unknown[] };
    const second = (await (await post(body)).json()) as { replies: unknown[]; duplicate?: boolean };
    expect(first.replies.length).toBeGreaterThan(0);
    expect(second.duplicate).toBe(true);
    expect(second.replies).toEqual([]);
  });

  it('serves a health check', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });

  it('keeps serving the last good knowledge base when a reload fails', async () => {
    const broken = join(dir, 'knowledge', 'zz-broken-test.yaml');
    writeFileSync(broken, 'entries: [ {id: 1');
    try {
      const err = await server.reload();
      expect(err?.message).toContain('zz-broken-test.yaml');
    } finally {
      unlinkSync(broken);
    }
    const res = await post(JSON.stringify({ text: '居住证怎么办理?' }));
    expect(((await res.json()) as { outcome: string }).outcome).toBe('answered');
  });
});
