import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WeChatApiClient } from '../../channels/wechat/api-client.ts';
import { startFakeWeChatApi, type FakeWeChatApi } from '../fakes/wechat-api.ts';

const credentials = { appId: 'wx1234567890abcdef', appSecret: 'secret-0123456789' };

describe('wechat customer-service API client', () => {
  let api: FakeWeChatApi;
  let client: WeChatApiClient;
  beforeAll(async () => {
    api = await startFakeWeChatApi(credentials);
  });
  afterAll(async () => {
    await api.stop();
  });
  beforeEach(() => {
    client = new WeChatApiClient({ baseUrl: `${api.url}/`, ...credentials });
  });

  it('sends text messages, fetching the access_token once and reusing it', async () => {
    const before = api.tokensIssued();
    expect(await client.sendText('o-a', '您好')).toEqual({ status: 'sent' });
    expect(await client.sendText('o-a', '再见')).toEqual({ status: 'sent' });
    expect(api.tokensIssued() - before).toBe(1);
    expect(api.messagesFor('o-a').map((m) => m.content)).toEqual(['您好', '再见']);
  });

  it('fetches a new token when WeChat says the cached one is invalid (40001), once', async () => {
    await client.sendText('o-b', '第一条');
    const before = api.tokensIssued();
    api.invalidateTokens();
    expect(await client.sendText('o-b', '第二条')).toEqual({ status: 'sent' });
    expect(api.tokensIssued() - before).toBe(1);
    expect(api.messagesFor('o-b').map((m) => m.content)).toEqual(['第一条', '第二条']);
  });

  it('asks for the token again shortly before it expires, and not before', async () => {
    let now = 1_000_000;
    const timed = new WeChatApiClient({ baseUrl: api.url, ...credentials, now: () => now });
    const asked = api.tokenRequests();
    const first = await timed.accessToken();
    now += 6800 * 1000;
    expect(await timed.accessToken()).toBe(first);
    expect(api.tokenRequests()).toBe(asked + 1);
    // WeChat grants 7200 s; the client asks again a few minutes before that.
    now += 200 * 1000;
    await timed.accessToken();
    expect(api.tokenRequests()).toBe(asked + 2);
  });

  it('gives every instance of a deployment the same stable token, so none invalidates another’s', async () => {
    const instances = [new WeChatApiClient({ baseUrl: api.url, ...credentials }), new WeChatApiClient({ baseUrl: api.url, ...credentials })];
    const issued = api.tokensIssued();
    const tokens = await Promise.all(instances.map((c) => c.accessToken()));
    expect(tokens[0]).toBe(tokens[1]);
    expect(await instances[0]!.sendText('o-shared-1', '第一台实例')).toMatchObject({ status: 'sent' });
    expect(await instances[1]!.sendText('o-shared-2', '第二台实例')).toMatchObject({ status: 'sent' });
    expect(api.tokensIssued()).toBeLessThanOrEqual(issued + 1);
  });

  it('reports the closed 48-hour window (45015) and too many messages (45047) without retrying', async () => {
    api.failNextSends(45015);
    expect(await client.sendText('o-c', '迟到的回复')).toMatchObject({ status: 'undeliverable', reason: 'window_closed' });
    api.failNextSends(45047);
    expect(await client.sendText('o-c', '又一条')).toMatchObject({ status: 'undeliverable', reason: 'window_closed', detail: expect.stringContaining('45047') });
    expect(api.messagesFor('o-c')).toEqual([]);
  });

  it('reports an unfollowed citizen as blocked and other errors as failed', async () => {
    api.failNextSends(43004);
    expect(await client.sendText('o-d', 'x')).toMatchObject({ status: 'undeliverable', reason: 'blocked' });
    api.failNextSends(-1);
    expect(await client.sendText('o-d', 'x')).toMatchObject({ status: 'undeliverable', reason: 'failed', detail: expect.stringContaining('-1') });
  });

  it('reports a wrong secret and an unreachable API as failed, without leaking the secret', async () => {
    const wrong = new WeChatApiClient({ baseUrl: api.url, appId: credentials.appId, appSecret: 'wrong-secret' });
    expect(await wrong.sendText('o-e', 'x')).toMatchObject({ status: 'undeliverable', reason: 'failed', detail: expect.stringContaining('40125') });
    const down = new WeChatApiClient({ baseUrl: 'http://127.0.0.1:9', ...credentials });
    const result = await down.sendText('o-e', 'x');
    expect(result).toMatchObject({ status: 'undeliverable', reason: 'failed' });
    expect(JSON.stringify(result)).not.toContain(credentials.appSecret);
  });
});
