/** The shared channel contract, with citizens as contacts on wechaty-puppet-mock talking to the bot's account. */
import { createWechatyChannel } from '../../channels/wechaty/index.ts';
import { startTestServer } from '../support/test-server.ts';
import { FakeWeChat } from '../fakes/wechaty-puppet.ts';
import { describeChannelContract } from './contract.ts';

describeChannelContract('wechaty', async () => {
  const wechat = new FakeWeChat();
  const server = await startTestServer({ channels: [createWechatyChannel({ puppet: wechat.puppet })] });
  await wechat.login();
  return {
    server,
    conversationId: (user) => `wechaty:${user}`,
    say: async (user, text, id) => void wechat.say(user, text, { id }),
    pick: async (user, n, id) => void wechat.say(user, String(n), { id }),
    seen: async (user) => wechat.said(user).map((text) => ({ text, buttons: [] })),
    sendBadPayload: async () => {
      wechat.sendBadMessages();
      return null;
    },
    stop: () => server.stop(),
  };
});
