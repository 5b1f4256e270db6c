import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatChannel } from '../../channels/wechat/index.ts';
import type { Engine } from '../../src/core/engine.ts';
import type { IncomingMessage } from '../../src/core/message.ts';
import { startFakeWeChatApi, type FakeWeChatApi } from '../fakes/wechat-api.ts';
import { sha1, WeChatCallbackClient, type CallbackResponse } from '../fakes/wechat-callback.ts';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';

// The token, AppID and key of WeChat's official encryption sample, so its published message can be replayed.
const TOKEN = 'spamtest';
const APP_ID = 'wx2c2769f8efd9abc2';
const APP_SECRET = 'secret-0123456789';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const PREVIOUS_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
const UNKNOWN_KEY = 'QWERTYUIOPASDFGHJKLZXCVBNMqwertyuiopasdfghj';

let api: FakeWeChatApi;
let server: TestServer;
let wechat: WeChatCallbackClient;
let url: string;

beforeAll(async () => {
  api = await startFakeWeChatApi({ appId: APP_ID, appSecret: APP_SECRET });
  server = await startTestServer({
    channels: [wechatChannel],
    env: {
      WECHAT_TOKEN: TOKEN,
      WECHAT_APP_ID: APP_ID,
      WECHAT_APP_SECRET: APP_SECRET,
      WECHAT_ENCODING_AES_KEY: AES_KEY,
      WECHAT_ENCODING_AES_KEY_PREVIOUS: PREVIOUS_KEY,
      WECHAT_API_BASE: api.url,
      WECHAT_REPLY_BUDGET_MS: '200',
      // The official sample below is signed with a timestamp of 2014.
      WECHAT_MAX_CLOCK_SKEW_SECONDS: '0',
    },
  });
  url = `${server.url}/channels/wechat`;
  wechat = new WeChatCallbackClient({ url, token: TOKEN, appId: APP_ID, encodingAesKey: AES_KEY });
});

afterAll(async () => {
  await server?.stop();
  await api?.stop();
});

const inbound = async (openId: string) => (await server.store.messages.listByConversation(`wechat:${openId}`)).filter((m) => m.direction === 'in');

/** What the citizen got for one callback: the passive reply, else the first customer-service message. */
async function answerTo(res: CallbackResponse, openId: string): Promise<string> {
  expect(res.status).toBe(200);
  if (res.reply) return res.reply.Content ?? '';
  expect(res.body).toBe('success');
  return eventually(() => api.messagesFor(openId)[0]?.content, 8000, `a customer-service message to ${openId}`);
}

/** Runs `fn` with the engine replaced by one answering every question with `answer`. */
async function withAnswer(answer: (message: IncomingMessage) => Promise<string>, fn: () => Promise<void>): Promise<void> {
  const real = server.service.engineOnThisThread!;
  const stub = {
    knowledgeBase: real.knowledgeBase,
    respond: async (message: IncomingMessage, state: unknown) => ({
      result: { conversationId: message.conversationId, lang: 'zh', outcome: 'answered', replies: [{ text: await answer(message) }], candidates: [] },
      state,
    }),
  };
  server.service.setEngine(stub as unknown as Engine);
  try {
    await fn();
  } finally {
    server.service.setEngine(real);
  }
}

describe('wechat callback: signatures', () => {
  it('echoes echostr for the console URL check, and only with a good signature', async () => {
    expect(await wechat.verifyUrl('8347204123921')).toEqual({ status: 200, body: '8347204123921' });
    const forged = await wechat.verifyUrl('8347204123921', true);
    expect(forged.status).toBe(401);
    expect(forged.body).not.toContain('8347204123921');
  });

  it('refuses a message with a bad signature or msg_signature with 401 and stores nothing', async () => {
    for (const forge of ['signature', 'msg_signature'] as const) {
      const res = await wechat.post({ ToUserName: wechat.accountId, FromUserName: 'o-forged', CreateTime: wechat.nextCreateTime(), MsgType: 'text', Content: '居住证怎么办理', MsgId: `9${forge.length}` }, { forge });
      expect(res.status).toBe(401);
      expect(res.reply).toBeUndefined();
    }
    expect(await server.store.messages.listByConversation('wechat:o-forged')).toEqual([]);
    expect(await server.store.conversations.get('wechat:o-forged')).toBeUndefined();
    expect(api.messagesFor('o-forged')).toEqual([]);
  });

  it('refuses an unencrypted body in safe mode, and one encrypted with an unknown key', async () => {
    const fields = { ToUserName: wechat.accountId, FromUserName: 'o-sneaky', CreateTime: wechat.nextCreateTime(), MsgType: 'text', Content: '居住证怎么办理', MsgId: '31' };
    expect((await wechat.post(fields, { plaintext: true })).status).toBe(401);
    expect((await wechat.post({ ...fields, MsgId: '32' }, { encodingAesKey: UNKNOWN_KEY })).status).toBe(400);
    expect(await server.store.messages.listByConversation('wechat:o-sneaky')).toEqual([]);
  });

  it('answers 400 to a signed body that is not WeChat XML, and keeps answering', async () => {
    const res = await wechat.postRaw('this is not xml');
    expect(res.status).toBe(400);
    const ok = await wechat.text('o-after-garbage', '护照怎么换发', '41');
    expect(await answerTo(ok, 'o-after-garbage')).toContain('护照');
  });
});

describe('wechat callback: safe mode', () => {
  it('accepts WeChat\'s official sample message and keeps its 64-bit MsgId exact', async () => {
    const handled: IncomingMessage[] = [];
    const listener = (message: IncomingMessage): void => void handled.push(message);
    server.service.on('handled', listener);
    try {
      const timestamp = '1409735669';
      const nonce = '1320562132';
      const query = new URLSearchParams({
        signature: sha1(TOKEN, timestamp, nonce),
        timestamp,
        nonce,
        encrypt_type: 'aes',
        msg_signature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
      });
      const body =
        '<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=]]></Encrypt></xml>';
      const res = await fetch(`${url}?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
      expect(res.status).toBe(200);
      const openId = 'oyORnuP8q7ou2gfYjqLzSIWZf0rs';
      expect((await inbound(openId)).map((m) => m.text)).toEqual(['abcdteT']);
      expect(handled.find((m) => m.senderId === openId)?.platformMessageId).toBe('6054768590064713728');
      // A MsgId differing only past double precision is a different message, not a retry.
      const next = await wechat.text(openId, '社保卡怎么办理', '6054768590064713729');
      expect(next.status).toBe(200);
      expect(await inbound(openId)).toHaveLength(2);
    } finally {
      server.service.off('handled', listener);
    }
  });

  it('accepts a message encrypted with the previous key during rotation and replies under that key', async () => {
    const rotating = new WeChatCallbackClient({ url, token: TOKEN, appId: APP_ID, encodingAesKey: PREVIOUS_KEY });
    await withAnswer(
      async () => '居住证请到户籍所在地派出所办理。',
      async () => {
        const res = await rotating.text('o-rotation', '居住证怎么办理', '51');
        expect(res.reply?.Content).toBe('居住证请到户籍所在地派出所办理。');
      },
    );
    expect(await inbound('o-rotation')).toHaveLength(1);
  });

  it('keeps "]]>" in an answer intact inside the encrypted XML reply', async () => {
    const tricky = '示例代码：a[b[0]]>c，另有 ]]> 与 <xml> 字样。';
    await withAnswer(
      async () => tricky,
      async () => {
        const res = await wechat.text('o-cdata', '示例', '61');
        expect(res.reply).toMatchObject({ ToUserName: 'o-cdata', FromUserName: wechat.accountId, MsgType: 'text', Content: tricky });
      },
    );
  });
});

describe('wechat callback: events and media', () => {
  it('welcomes a new follower once, saying what the bot can do', async () => {
    const createTime = wechat.nextCreateTime();
    const res = await wechat.event('o-follower', 'subscribe', undefined, createTime);
    expect(res.reply?.Content).toMatch(/欢迎关注/);
    expect(res.reply?.Content).toContain('居住证怎么办理');
    expect(res.reply?.Content).toContain('转人工');
    const retry = await wechat.event('o-follower', 'subscribe', undefined, createTime);
    expect(retry).toMatchObject({ status: 200, body: 'success' });
  });

  it('answers a menu click, using the EventKey as the question', async () => {
    const res = await wechat.event('o-menu', 'CLICK', '社保卡怎么办理');
    expect(await answerTo(res, 'o-menu')).toContain('社会保障卡');
    expect((await inbound('o-menu')).map((m) => m.text)).toEqual(['社保卡怎么办理']);
  });

  it('says politely that only text is understood when sent a picture', async () => {
    const res = await wechat.post({ ToUserName: wechat.accountId, FromUserName: 'o-picture', CreateTime: wechat.nextCreateTime(), MsgType: 'image', PicUrl: 'http://mmbiz.example/pic.jpg', MediaId: 'media-1', MsgId: '71' });
    expect(res.reply?.Content).toContain('只能理解文字');
  });

  it('answers "success" to events that need no reply', async () => {
    const res = await wechat.event('o-leaver', 'unsubscribe');
    expect(res).toMatchObject({ status: 200, body: 'success' });
  });
});

describe('wechat callback: answers that come later', () => {
  it('replies "success" when the answer is not ready in time, then sends it through the customer-service API', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await withAnswer(
      async () => {
        await gate;
        return '慢慢查到的答案：居住证需要居住满半年。';
      },
      async () => {
        const res = await wechat.text('o-slow', '居住证办理条件', '81');
        expect(res).toMatchObject({ status: 200, body: 'success' });
        // The message was stored before WeChat got its answer.
        expect((await inbound('o-slow')).map((m) => m.text)).toEqual(['居住证办理条件']);
        release();
        const late = await eventually(() => api.messagesFor('o-slow')[0], 8000, 'the late answer');
        expect(late.content).toBe('慢慢查到的答案：居住证需要居住满半年。');
      },
    );
  });

  it('sends the first part of a long answer passively and the rest through the customer-service API', async () => {
    const long = Array.from({ length: 80 }, (_, i) => `第${i + 1}项：申请人应当提交身份证明、居住证明等材料。`).join('\n');
    await withAnswer(
      async () => long,
      async () => {
        const res = await wechat.text('o-long', '材料清单', '91');
        const first = res.reply?.Content ?? '';
        expect(Buffer.byteLength(first)).toBeLessThanOrEqual(2048);
        expect(first.startsWith('第1项')).toBe(true);
        const rest = await eventually(() => {
          const got = api.messagesFor('o-long').map((m) => m.content);
          return [first, ...got].join('\n') === long ? got : undefined;
        }, 8000, 'the rest of the long answer');
        expect(rest.length).toBeGreaterThanOrEqual(1);
      },
    );
  });

  it('reports a closed 48-hour window to whoever sends a staff reply', async () => {
    await answerTo(await wechat.text('o-window', '你好', '101'), 'o-window');
    const sentBefore = api.messagesFor('o-window').length;
    api.failNextSends(45015);
    const result = await server.outbound.deliver('wechat:o-window', [{ text: '工作人员：您的材料已收到。' }]);
    expect(result).toMatchObject({ status: 'undeliverable', reason: 'window_closed' });
    expect(api.messagesFor('o-window')).toHaveLength(sentBefore);
  });

  it('fetches a new access_token once when WeChat rejects the cached one (40001), and delivers', async () => {
    await answerTo(await wechat.text('o-token', '你好', '111'), 'o-token');
    expect(await server.outbound.deliver('wechat:o-token', [{ text: '工作人员：第一条。' }])).toEqual({ status: 'sent' });
    const issued = api.tokensIssued();
    api.invalidateTokens();
    expect(await server.outbound.deliver('wechat:o-token', [{ text: '工作人员：第二条。' }])).toEqual({ status: 'sent' });
    expect(api.tokensIssued()).toBe(issued + 1);
    expect(api.messagesFor('o-token').map((m) => m.content).slice(-2)).toEqual(['工作人员：第一条。', '工作人员：第二条。']);
  });

  it('reports no route for a conversation it has no OpenID for', async () => {
    const adapter = server.channels.find((c) => c.name === 'wechat')!;
    expect(await adapter.send('wechat:o-never-wrote', [{ text: 'x' }])).toMatchObject({ status: 'undeliverable', reason: 'no_route' });
  });
});
