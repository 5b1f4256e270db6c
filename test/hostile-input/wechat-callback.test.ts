/**
 * The WeChat callback, in plaintext and safe mode, fed the hostile-input corpus, malformed XML, entity
 * expansion (XXE, billion laughs), forged signatures, replayed timestamps and message ids, and a flood.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatChannel } from '../../channels/wechat/index.ts';
import { TOO_FAST_TEXT } from '../../src/ops/rate-limits.ts';
import { startFakeWeChatApi, type FakeWeChatApi } from '../fakes/wechat-api.ts';
import { callbackXml, sha1, WeChatCallbackClient, type CallbackResponse } from '../fakes/wechat-callback.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { expectNothingStoredUnmasked, expectStillAnswers, HOSTILE_TEXTS } from './corpus.ts';

const TOKEN = 'hostileInputToken2024';
const APP_ID = 'wx5e6f7a8b9c0d1e2f';
const APP_SECRET = 'hostile-input-app-secret';
const AES_KEY = 'Kq7vN2xR9tL4mP8wZ3yB6cF1hJ5dG0sA2eU7iO9rT4k';

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o-laughs]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>`;

const XXE = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o-xxe]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>`;

const MALFORMED_XML = ['not xml at all', '<xml>', '<xml><Content>unclosed</xml>', '<?xml version="1.0"?>', '<other><a>1</a></other>', '<xml><xml><xml></xml>', '\u0000\u0001<xml/>'];

/** Well-formed XML whose fields have the wrong shape: acknowledged ("success") or refused, never handled. */
const WRONG_SHAPES = [
  '<xml><FromUserName>o-shape</FromUserName><MsgType>text</MsgType><Content><b>nested</b></Content></xml>',
  '<xml><FromUserName>o-shape</FromUserName><MsgType>text</MsgType><Content></Content></xml>',
  '<xml><FromUserName><a/></FromUserName><MsgType>text</MsgType><Content>hi</Content></xml>',
  '<xml><FromUserName>o-shape</FromUserName><MsgType><x>text</x></MsgType><Content>hi</Content></xml>',
  '<xml><FromUserName>o-shape</FromUserName><MsgType>text</MsgType><Content>a</Content><Content>b</Content></xml>',
];

describe.each([
  ['plaintext', undefined],
  ['safe mode', AES_KEY],
] as const)('wechat callback (%s): hostile input', (_mode, aesKey) => {
  let api: FakeWeChatApi;
  let server: TestServer;
  let wechat: WeChatCallbackClient;
  let url: string;

  beforeAll(async () => {
    api = await startFakeWeChatApi({ appId: APP_ID, appSecret: APP_SECRET });
    const env: NodeJS.ProcessEnv = { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_APP_SECRET: APP_SECRET, WECHAT_API_BASE: api.url };
    if (aesKey) env.WECHAT_ENCODING_AES_KEY = aesKey;
    server = await startTestServer({ channels: [wechatChannel], env, config: { RATE_LIMIT_CONVERSATION_PER_MINUTE: '3' } });
    url = `${server.url}/channels/wechat`;
    wechat = new WeChatCallbackClient({ url, token: TOKEN, appId: APP_ID, encodingAesKey: aesKey });
  });

  afterAll(async () => {
    await server?.stop();
    await api?.stop();
  });

  const inbound = async (openId: string) => (await server.store.messages.listByConversation(`wechat:${openId}`)).filter((m) => m.direction === 'in');
  const answered = (res: CallbackResponse): boolean => res.status === 200 && (res.reply !== undefined || res.body === 'success');

  it('answers every corpus text, one follower each', async () => {
    for (const [index, [name, text]] of HOSTILE_TEXTS.entries()) {
      const res = await wechat.text(`o-corpus-${index}`, text, `${100 + index}`);
      expect(answered(res), `${name}: ${res.status} ${res.body}`).toBe(true);
    }
    expectNothingStoredUnmasked(server);
    await expectStillAnswers(server);
  });

  it('answers malformed XML with 400 and expands no entities (XXE, billion laughs), storing nothing', async () => {
    for (const xml of MALFORMED_XML) {
      const res = await wechat.postRaw(xml);
      expect(res.status, xml).toBeGreaterThanOrEqual(400);
      expect(res.status, xml).toBeLessThan(500);
    }
    for (const xml of WRONG_SHAPES) {
      const res = await wechat.postRaw(xml);
      expect(res.status, xml).toBeLessThan(500);
    }
    expect(await inbound('o-shape')).toEqual([]);
    for (const xml of [XXE, BILLION_LAUGHS]) {
      const res = await wechat.postRaw(xml);
      expect(res.status).toBe(400);
      expect(res.body).not.toContain('root:');
      expect(res.body).not.toContain('lollol');
    }
    expect(await inbound('o-xxe')).toEqual([]);
    expect(await inbound('o-laughs')).toEqual([]);
    await expectStillAnswers(server);
  });

  it('refuses forged signatures with 401 and stores nothing', async () => {
    const fields = { ToUserName: wechat.accountId, FromUserName: 'o-forger', CreateTime: wechat.nextCreateTime(), MsgType: 'text', Content: '居住证怎么办理', MsgId: '501' };
    expect((await wechat.post(fields, { forge: 'signature' })).status).toBe(401);
    if (aesKey) expect((await wechat.post({ ...fields, MsgId: '502' }, { forge: 'msg_signature' })).status).toBe(401);
    expect(await inbound('o-forger')).toEqual([]);
  });

  it('refuses a correctly signed request whose timestamp is old (a replay) with 401', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000) - 3600);
    const nonce = '424242';
    const query = new URLSearchParams({ signature: sha1(TOKEN, timestamp, nonce), timestamp, nonce });
    const xml = callbackXml({ ToUserName: wechat.accountId, FromUserName: 'o-replayer', CreateTime: timestamp, MsgType: 'text', Content: '居住证怎么办理', MsgId: '601' });
    const res = await fetch(`${url}?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('stale timestamp');
    expect(await inbound('o-replayer')).toEqual([]);
  });

  it('answers a replayed message id once', async () => {
    const first = await wechat.text('o-retry', '护照怎么办理', '7001');
    const again = await wechat.text('o-retry', '护照怎么办理', '7001');
    expect(answered(first)).toBe(true);
    expect(again).toMatchObject({ status: 200, body: 'success' });
    expect(await inbound('o-retry')).toHaveLength(1);
  });

  it('tells a flooding follower once to slow down, then answers WeChat "success" without handling', async () => {
    const responses: CallbackResponse[] = [];
    for (let i = 0; i < 5; i++) responses.push(await wechat.text('o-flood', `护照怎么办理${i}`, `${8000 + i}`));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(responses[3]?.reply?.Content).toBe(TOO_FAST_TEXT);
    expect(responses[4]).toMatchObject({ body: 'success', reply: undefined });
    expect(await inbound('o-flood')).toHaveLength(3);
  });
});
