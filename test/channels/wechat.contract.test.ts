import { wechatChannel } from '../../channels/wechat/index.ts';
import { startFakeWeChatApi, nextSequence } from '../fakes/wechat-api.ts';
import { WeChatCallbackClient } from '../fakes/wechat-callback.ts';
import { startTestServer } from '../support/test-server.ts';
import { describeChannelContract, type ChannelDriver } from './contract.ts';

const TOKEN = 'huiyingtoken';
const APP_ID = 'wx1234567890abcdef';
const APP_SECRET = 'secret-0123456789';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** A citizen's view: passive replies from the callback's HTTP responses plus customer-service messages the fake API got. */
async function startDriver(safeMode: boolean): Promise<ChannelDriver> {
  const api = await startFakeWeChatApi({ appId: APP_ID, appSecret: APP_SECRET });
  const env: NodeJS.ProcessEnv = { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_APP_SECRET: APP_SECRET, WECHAT_API_BASE: api.url };
  if (safeMode) env.WECHAT_ENCODING_AES_KEY = AES_KEY;
  const server = await startTestServer({ channels: [wechatChannel], env });
  const wechat = new WeChatCallbackClient({ url: `${server.url}/channels/wechat`, token: TOKEN, appId: APP_ID, encodingAesKey: safeMode ? AES_KEY : undefined });
  const passive = new Map<string, Array<{ text: string; seq: number }>>();

  const say = async (user: string, text: string, msgId: string): Promise<void> => {
    const res = await wechat.text(user, text, msgId);
    if (res.status !== 200) throw new Error(`callback answered ${res.status}: ${res.body}`);
    if (res.reply) {
      if (res.reply.MsgType !== 'text' || res.reply.ToUserName !== user || res.reply.FromUserName !== wechat.accountId) {
        throw new Error(`unexpected passive reply ${JSON.stringify(res.reply)}`);
      }
      passive.set(user, [...(passive.get(user) ?? []), { text: res.reply.Content ?? '', seq: nextSequence() }]);
    } else if (res.body !== 'success') {
      throw new Error(`neither a reply nor "success": ${res.body}`);
    }
  };

  return {
    server,
    conversationId: (user) => `wechat:${user}`,
    say,
    pick: (user, n, msgId) => say(user, String(n), msgId),
    seen: async (user) =>
      [...(passive.get(user) ?? []), ...api.messagesFor(user).map((m) => ({ text: m.content, seq: m.seq }))]
        .sort((a, b) => a.seq - b.seq)
        .map((m) => ({ text: m.text, buttons: [] })),
    sendBadPayload: async () =>
      (await wechat.post({ ToUserName: wechat.accountId, FromUserName: 'citizen-forger', MsgType: 'text', Content: '居住证怎么办理', MsgId: '1' }, { forge: 'signature' }))
        .status,
    stop: async () => {
      await server.stop();
      await api.stop();
    },
  };
}

describeChannelContract('wechat (safe mode)', () => startDriver(true));
describeChannelContract('wechat (plaintext mode)', () => startDriver(false));
