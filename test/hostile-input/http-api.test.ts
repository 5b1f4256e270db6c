/** The HTTP API (`POST /api/v1/messages`) fed the hostile-input corpus, malformed bodies and floods. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { expectNothingStoredUnmasked, expectStillAnswers, HOSTILE_TEXTS, hugeJson, MALFORMED_JSON, WRONG_TYPES } from './corpus.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

const post = (body: string | Blob, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('HTTP API: hostile input', () => {
  it('answers every corpus text as plain data, stores it masked, and keeps answering', async () => {
    for (const [name, text] of HOSTILE_TEXTS) {
      const res = await post(JSON.stringify({ conversationId: 'hostile-api-0001', text }));
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toMatch(/^application\/json/);
      const body = (await res.json()) as { replies: Array<{ text: string }> };
      expect(body.replies.length, name).toBeGreaterThan(0);
    }
    const history = (await (await fetch(`${server.url}/api/v1/conversations/hostile-api-0001/messages`)).json()) as { messages: Array<{ direction: string; text: string }> };
    const asked = history.messages.filter((m) => m.direction === 'in').map((m) => m.text);
    // Markup comes back exactly as sent (escaping is the page's job), never rewritten into something else.
    expect(asked).toContain(HOSTILE_TEXTS[0]![1]);
    expect(asked).toContain("'; DROP TABLE messages; --");
    expectNothingStoredUnmasked(server);
    await expectStillAnswers(server);
  });

  it('rejects malformed JSON, wrong types and empty text with a 400 and a message', async () => {
    for (const body of MALFORMED_JSON) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { message: string }).message, body).toMatch(/JSON|body/);
    }
    for (const [name, value] of WRONG_TYPES) {
      const res = await post(JSON.stringify({ text: value }));
      expect(res.status, name).toBe(400);
      expect(((await res.json()) as { message: string }).message, name).toContain('text');
    }
    for (const body of ['""', '[]', 'null', '42', '{"text": ""}', '{"text": "\\u200b"}', '{"text": "居住证", "__proto__": {"admin": true}}']) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
    }
    expect((await post('text=居住证', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(400);
    await expectStillAnswers(server);
  });

  it('does not crash on invalid UTF-8 or odd charsets', async () => {
    const invalid = Buffer.concat([Buffer.from('{"text": "'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]), Buffer.from('居住证"}')]);
    expect([200, 400]).toContain((await post(new Blob([invalid]))).status);
    const charset = await post('{"text": "hi"}', { 'content-type': 'application/json; charset=iso-8859-1' });
    expect(charset.status).toBe(415);
    expect(await charset.json()).toMatchObject({ error: 'unsupported_media_type', message: expect.stringContaining('charset') });
    await expectStillAnswers(server);
  });

  it('answers 413 with a JSON message for a body over the limit', async () => {
    const res = await post(hugeJson());
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'payload_too_large', message: 'body is too large (at most 64kb)' });
    await expectStillAnswers(server);
  });

  it('returns a request id, keeping a well-formed incoming one and replacing anything else', async () => {
    const own = (await post(JSON.stringify({ text: '护照' }))).headers.get('x-request-id');
    expect(own).toMatch(/^[0-9a-f-]{36}$/);
    expect((await post(JSON.stringify({ text: '护照' }), { 'x-request-id': 'proxy-7f3a9c21e4' })).headers.get('x-request-id')).toBe('proxy-7f3a9c21e4');
    for (const bad of ['x', '<script>', 'a'.repeat(300), 'id with spaces ok?']) {
      const id = (await post(JSON.stringify({ text: '护照' }), { 'x-request-id': bad })).headers.get('x-request-id');
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('HTTP API: rate limits', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ config: { RATE_LIMIT_IP_PER_MINUTE: '6', RATE_LIMIT_CONVERSATION_PER_MINUTE: '3' } });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  const ask = (conversationId: string) =>
    fetch(`${limited.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conversationId, text: '护照怎么办' }) });

  it('answers 429 with a clear message past the per-conversation, then the per-address limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await ask('flood-conversation-1')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const overConversation = await ask('flood-conversation-1');
    expect(overConversation.status).toBe(429);
    expect(await overConversation.json()).toEqual({ error: 'rate_limited', message: expect.stringContaining('at most 3 a minute in one conversation') });
    // Another conversation from the same address still gets through, until the address's own limit.
    expect((await ask('flood-conversation-2')).status).toBe(200);
    const overAddress = await ask('flood-conversation-3');
    expect(overAddress.status).toBe(429);
    expect(await overAddress.json()).toEqual({ error: 'rate_limited', message: expect.stringContaining('at most 6 a minute from one address') });
    expect(overAddress.headers.get('ratelimit-policy')).toContain('6');
    expect((await fetch(`${limited.url}/healthz`)).status).toBe(200);
  });
});
