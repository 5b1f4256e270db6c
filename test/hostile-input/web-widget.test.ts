/** The web widget's socket and HTTP fallback fed the hostile-input corpus, oversized frames and too many sockets. */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webChannel } from '../../channels/web/index.ts';
import { WidgetClient } from '../fakes/web-widget-client.ts';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';
import { expectNothingStoredUnmasked, expectStillAnswers, HOSTILE_TEXTS, hugeJson, MALFORMED_JSON, WRONG_TYPES } from './corpus.ts';

describe('web widget: hostile input', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ channels: [webChannel] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('acknowledges every corpus text sent over the socket and shows it back as sent', async () => {
    const client = await WidgetClient.connect(server.url, 'hostile-widget-000001');
    for (const [index, [name, text]] of HOSTILE_TEXTS.entries()) {
      client.send({ type: 'message', id: `h-${index}`, text });
      const ack = await client.waitFor((f) => f.type === 'ack' && f.id === `h-${index}`, 15_000);
      expect(ack, name).toMatchObject({ duplicate: false });
    }
    expect(client.open).toBe(true);
    const history = (await (await fetch(`${server.url}/channels/web/conversations/hostile-widget-000001/messages`)).json()) as { messages: Array<{ direction: string; text: string }> };
    expect(history.messages.filter((m) => m.direction === 'in').map((m) => m.text)).toContain(HOSTILE_TEXTS[0]![1]);
    await client.close();
    expectNothingStoredUnmasked(server);
    await expectStillAnswers(server);
  });

  it('answers malformed frames and wrong types with error frames, keeping the socket open', async () => {
    const client = await WidgetClient.connect(server.url, 'hostile-widget-000002');
    const frames = [...MALFORMED_JSON, ...WRONG_TYPES.map(([, value]) => JSON.stringify({ type: 'message', id: 'w-1', text: value })), '{"type":"message","id":"../x","text":"hi"}', '{"type":"feedback","messageId":-1,"helpful":"yes"}', '{"type":"message","id":"z","text":"\u200b\u200b"}'];
    for (const frame of frames) client.send(frame);
    await eventually(() => (client.frames.filter((f) => f.type === 'error').length >= frames.length ? true : undefined), 10_000, 'an error frame for each bad frame');
    expect(client.frames.filter((f) => f.type === 'error').every((f) => f.type === 'error' && f.error === 'bad_request' && f.message.length > 0)).toBe(true);
    expect(client.open).toBe(true);
    client.send({ type: 'message', id: 'after-bad', text: '护照怎么办理' });
    await client.waitFor((f) => f.type === 'ack' && f.id === 'after-bad', 15_000);
    await client.close();
  });

  it('closes a socket that sends a frame over the size limit with 1009, and keeps serving', async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/channels/web/ws?conversation=hostile-widget-000003`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    ws.on('error', () => undefined);
    ws.send(JSON.stringify({ type: 'message', id: 'big', text: 'x'.repeat(1024 * 1024) }));
    expect(await closed).toBe(1009);
    await expectStillAnswers(server);
  });

  it('answers the HTTP fallback with 400s, a JSON 413, and answers after', async () => {
    const post = (body: string) => fetch(`${server.url}/channels/web/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    for (const body of MALFORMED_JSON) expect((await post(body)).status, body).toBe(400);
    for (const [name, value] of WRONG_TYPES) expect((await post(JSON.stringify({ conversationId: 'hostile-widget-000004', text: value }))).status, name).toBe(400);
    const huge = await post(hugeJson());
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: 'payload_too_large' });
    const ok = await post(JSON.stringify({ conversationId: 'hostile-widget-000004', text: '<script>alert(1)</script>护照' }));
    expect(ok.status).toBe(200);
  });
});

describe('web widget: limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      channels: [webChannel],
      env: { WEB_MAX_CONNECTIONS_PER_IP: '2' },
      config: { RATE_LIMIT_CONVERSATION_PER_MINUTE: '2' },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses a third socket from one address with 429, and accepts one again after another closes', async () => {
    const first = await WidgetClient.connect(server.url, 'limits-widget-0000001');
    const second = await WidgetClient.connect(server.url, 'limits-widget-0000002');
    expect(await WidgetClient.refusal(server.url, 'limits-widget-0000003')).toBe(429);
    await first.close();
    const third = await eventually(async () => WidgetClient.connect(server.url, 'limits-widget-0000003').catch(() => undefined), 5000, 'a socket after one closed');
    expect(third.open).toBe(true);
    await second.close();
    await third.close();
  });

  it('answers messages over the per-conversation limit with a rate_limited error frame', async () => {
    const client = await WidgetClient.connect(server.url, 'limits-widget-0000004');
    for (const id of ['c-1', 'c-2', 'c-3']) client.send({ type: 'message', id, text: '护照怎么办理' });
    const error = await client.waitFor((f) => f.type === 'error', 15_000);
    expect(error).toMatchObject({ error: 'rate_limited', id: 'c-3', message: expect.stringContaining('at most 2 a minute in one conversation') });
    expect(client.frames.filter((f) => f.type === 'ack').map((f) => f.type === 'ack' && f.id)).toEqual(['c-1', 'c-2']);
    await client.close();
  });
});
