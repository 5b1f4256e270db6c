import { gzipSync } from 'node:zlib';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webChannel } from '../../channels/web/index.ts';
import type { ChannelAdapter, ChannelDeps } from '../../src/server/channel-adapter.ts';
import { createLogger } from '../../src/logger.ts';
import { WidgetClient } from '../fakes/web-widget-client.ts';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';

const PORTAL = 'https://portal.example.gov.cn';
const FOREIGN = 'https://evil.example.com';

const post = (server: TestServer, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/channels/web${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('web widget: serving, origins, input checks, feedback', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      channels: [webChannel],
      env: { WEB_ALLOWED_ORIGINS: PORTAL, MAX_MESSAGE_LENGTH: '200' },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves widget.js with caching headers, small enough to embed anywhere', async () => {
    const res = await fetch(`${server.url}/widget.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const body = await res.text();
    expect(gzipSync(body).length).toBeLessThan(30 * 1024);
    expect(body).not.toMatch(/\.innerHTML\s*=/);
    // A browser revalidates with If-None-Match (fetch() itself would add no-cache, so supertest asks).
    const again = await request(server.url).get('/widget.js').set('If-None-Match', res.headers.get('etag')!);
    expect(again.status).toBe(304);
  });

  it('serves the demo portal at / embedding the widget with one script line', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    expect(html).toContain('政务服务网');
    expect(html).toMatch(/<script src="\/widget\.js" data-title="[^"]+"[^>]* async><\/script>/);
  });

  it('answers CORS preflights for a listed portal and refuses other portals', async () => {
    const preflight = await fetch(`${server.url}/channels/web/messages`, {
      method: 'OPTIONS',
      headers: { origin: PORTAL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/content-type/i);

    const allowed = await post(server, '/messages', { conversationId: 'cors-allowed-000001', text: '居住证怎么办理' }, { origin: PORTAL });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PORTAL);

    const foreign = await post(server, '/messages', { conversationId: 'cors-foreign-000001', text: '居住证怎么办理' }, { origin: FOREIGN });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { message: string }).message).toContain('WEB_ALLOWED_ORIGINS');
    const history = await fetch(`${server.url}/channels/web/conversations/cors-allowed-000001/messages`, { headers: { origin: FOREIGN } });
    expect(history.status).toBe(403);
  });

  it('refuses a WebSocket from a foreign origin, accepts the listed portal and the server itself', async () => {
    expect(await WidgetClient.refusal(server.url, 'origin-check-0000001', FOREIGN)).toBe(403);
    const fromPortal = await WidgetClient.connect(server.url, 'origin-check-0000001', { origin: PORTAL });
    const fromSelf = await WidgetClient.connect(server.url, 'origin-check-0000001', { origin: server.url });
    expect(fromPortal.open && fromSelf.open).toBe(true);
    await Promise.all([fromPortal.close(), fromSelf.close()]);
  });

  it.each([
    ['missing text', { conversationId: 'bad-input-00000001' }, 'text'],
    ['text of the wrong type', { conversationId: 'bad-input-00000001', text: 42 }, 'text'],
    ['empty text', { conversationId: 'bad-input-00000001', text: '   ' }, 'empty'],
    ['oversized text', { conversationId: 'bad-input-00000001', text: '办'.repeat(201) }, 'at most 200'],
    ['a bad conversation id', { conversationId: '../../etc/passwd', text: 'hi' }, 'conversationId'],
    ['invalid JSON', '{"conversationId": ', 'not valid JSON'],
  ])('rejects %s on the message route with a 400 and a clear message', async (_name, body, message) => {
    const res = await post(server, '/messages', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain(message);
  });

  it('rejects a bad history query and a bad feedback body with 400s', async () => {
    expect((await fetch(`${server.url}/channels/web/conversations/x/messages`)).status).toBe(400);
    expect((await fetch(`${server.url}/channels/web/conversations/bad-input-00000001/messages?after=abc`)).status).toBe(400);
    expect((await post(server, '/feedback', { conversationId: 'bad-input-00000001', messageId: 'one', helpful: 'no' })).status).toBe(400);
    expect((await post(server, '/feedback', { conversationId: 'bad-input-00000001', messageId: 999999, helpful: false })).status).toBe(404);
  });

  it('answers bad socket frames with an error frame and keeps the socket working', async () => {
    expect(await WidgetClient.refusal(server.url, 'x')).toBe(400);
    const client = await WidgetClient.connect(server.url, 'bad-frames-00000001');
    client.send('{"type": "message", ');
    client.send({ type: 'message', id: 'm-1', text: 'x'.repeat(201) });
    client.send({ type: 'nonsense' });
    await eventually(() => (client.frames.filter((f) => f.type === 'error').length >= 3 ? true : undefined));
    const errors = client.frames.flatMap((f) => (f.type === 'error' ? [f] : []));
    expect(errors.map((e) => e.error)).toEqual(['bad_request', 'bad_request', 'bad_request']);
    expect(errors[0]?.message).toContain('not valid JSON');
    expect(errors[1]?.message).toContain('at most 200');
    client.send({ type: 'message', id: 'm-2', text: '社保卡怎么办理' });
    await client.waitFor((f) => f.type === 'ack' && f.id === 'm-2');
    expect(client.shown.at(-1)?.text).toContain('社会保障卡');
    await client.close();
  });

  it('works over HTTP alone: post a message, then poll for what came after', async () => {
    const id = 'http-only-00000001';
    const res = await post(server, '/messages', { conversationId: id, text: '居住证怎么办理', id: 'h-1' });
    const body = (await res.json()) as { messages: Array<{ id: number; direction: string; text: string; links?: unknown[] }> };
    expect(body.messages.map((m) => m.direction)).toEqual(['in', 'out']);
    expect(body.messages[1]?.text).toContain('居住证');
    const lastId = body.messages.at(-1)!.id;
    await server.outbound.deliver(`web:${id}`, [{ text: '工作人员补充：周六也可办理。', staffName: '王芳' }]);
    const poll = (await (await fetch(`${server.url}/channels/web/conversations/${id}/messages?after=${lastId}`)).json()) as {
      messages: Array<{ text: string; staffName?: string }>;
    };
    expect(poll.messages).toEqual([expect.objectContaining({ text: '工作人员补充：周六也可办理。', staffName: '王芳' })]);
  });

  it('pushes a staff reply live, with the name, to every open widget of the conversation', async () => {
    const id = 'two-tabs-000000001';
    const tab1 = await WidgetClient.connect(server.url, id);
    tab1.send({ type: 'message', id: 't-1', text: '你好' });
    await tab1.waitFor((f) => f.type === 'ack');
    const tab2 = await WidgetClient.connect(server.url, id);
    expect(tab2.frames[0]).toMatchObject({ type: 'history', messages: [{ direction: 'in', text: '你好' }, { direction: 'out' }] });
    expect(await server.outbound.deliver(`web:${id}`, [{ text: '您好，我是人工客服。', staffName: '王芳' }])).toEqual({ status: 'sent' });
    for (const tab of [tab1, tab2]) {
      await eventually(() => tab.shown.find((m) => m.staffName === '王芳'), 5000, 'staff reply');
    }
    await Promise.all([tab1.close(), tab2.close()]);
  });

  it('logs a thumbs-down as a not_helpful demand signal for the question it answered', async () => {
    const id = 'feedback-000000001';
    const client = await WidgetClient.connect(server.url, id);
    client.send({ type: 'message', id: 'f-1', text: '我的手机13812345678，护照怎么换发' });
    await client.waitFor((f) => f.type === 'ack');
    const answer = client.shown.at(-1)!;
    expect(answer.rateable).toBe(true);
    client.send({ type: 'feedback', messageId: answer.id, helpful: true });
    await client.waitFor((f) => f.type === 'feedback');
    expect((await server.store.demand.list()).filter((d) => d.conversationId === `web:${id}`)).toEqual([]);
    client.send({ type: 'feedback', messageId: answer.id, helpful: false });
    await eventually(() => (client.frames.filter((f) => f.type === 'feedback').length === 2 ? true : undefined));
    const [signal] = (await server.store.demand.list()).filter((d) => d.conversationId === `web:${id}`);
    expect(signal).toMatchObject({ reason: 'not_helpful', channel: 'web' });
    expect(signal?.text).toContain('护照怎么换发');
    expect(signal?.text).not.toContain('13812345678');
    await client.close();
  });
});

describe('web widget: rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    // The deprecated WEB_RATE_LIMIT_PER_MINUTE still sets RATE_LIMIT_IP_PER_MINUTE.
    server = await startTestServer({ channels: [webChannel], config: { RATE_LIMIT_IP_PER_MINUTE: '', WEB_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers 429 with a clear JSON message past the limit, on HTTP and on the socket', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(server, '/messages', { conversationId: 'rate-limit-0000001', text: `你好${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const res = await post(server, '/messages', { conversationId: 'rate-limit-0000001', text: '你好' });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ error: 'rate_limited', message: expect.stringContaining('at most 3 a minute') });
    const client = await WidgetClient.connect(server.url, 'rate-limit-0000001');
    client.send({ type: 'message', id: 'r-1', text: '你好' });
    expect(await client.waitFor((f) => f.type === 'error')).toMatchObject({ error: 'rate_limited', id: 'r-1' });
    await client.close();
  });
});

describe('web widget: settings', () => {
  const deps = { logger: createLogger('silent') } as ChannelDeps;

  it('is on by default and off with WEB_WIDGET_ENABLED=false', async () => {
    expect(await webChannel.create({}, deps)).not.toBeNull();
    expect(await webChannel.create({ WEB_WIDGET_ENABLED: 'false' }, deps)).toBeNull();
  });

  it('names the variable of a bad setting', () => {
    expect(() => webChannel.create({ WEB_MAX_CONNECTIONS_PER_IP: 'lots' }, deps)).toThrow(/WEB_MAX_CONNECTIONS_PER_IP/);
    expect(() => webChannel.create({ WEB_ALLOWED_ORIGINS: 'portal.example.gov.cn/path' }, deps)).toThrow(/WEB_ALLOWED_ORIGINS/);
  });

  it('leaves / alone with WEB_DEMO_PORTAL=false but still serves the widget', async () => {
    const adapter = (await webChannel.create({ WEB_DEMO_PORTAL: 'false' }, deps)) as ChannelAdapter;
    const app = express();
    const root = express.Router();
    adapter.mountRoot?.(root);
    app.use(root);
    expect((await request(app).get('/')).status).toBe(404);
    expect((await request(app).get('/widget.js')).status).toBe(200);
    await adapter.stop?.();
  });
});
