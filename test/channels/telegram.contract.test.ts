/** The shared channel contract, driven through Telegram's webhook protocol with a fake Bot API recording the bot's messages. */
import { telegramChannel } from '../../channels/telegram/index.ts';
import { startTestServer } from '../support/test-server.ts';
import { callbackUpdate, startFakeTelegramApi, textUpdate } from '../fakes/telegram-api.ts';
import { describeChannelContract, type ChannelDriver, type SeenMessage } from './contract.ts';

const TOKEN = '123456789:contract-test-token';
const SECRET = 'contract-secret_1';

interface Keyboard {
  inline_keyboard?: { text: string; callback_data?: string; url?: string }[][];
}

describeChannelContract('telegram', async (): Promise<ChannelDriver> => {
  const api = await startFakeTelegramApi(TOKEN);
  const server = await startTestServer({
    channels: [telegramChannel],
    env: api.webhookEnv(SECRET),
  });
  const chats = new Map<string, number>();
  const chatId = (user: string): number => {
    if (!chats.has(user)) chats.set(user, 5000 + chats.size);
    return chats.get(user)!;
  };
  // Telegram's update_id is a number; the contract's message ids are strings, so each gets a stable number.
  const updateIds = new Map<string, number>();
  const updateId = (platformMessageId: string): number => {
    if (!updateIds.has(platformMessageId)) updateIds.set(platformMessageId, 700_000 + updateIds.size);
    return updateIds.get(platformMessageId)!;
  };
  const post = async (body: string): Promise<number> => {
    const res = await fetch(`${server.url}/channels/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  };
  const deliver = async (update: object): Promise<void> => {
    const status = await post(JSON.stringify(update));
    if (status !== 200) throw new Error(`webhook answered ${status}`);
  };
  const seen = (user: string): SeenMessage[] =>
    api.sentTo(chatId(user)).map((m) => ({
      text: String(m.text),
      buttons: ((m.reply_markup as Keyboard | undefined)?.inline_keyboard ?? []).flat().filter((b) => b.callback_data !== undefined).map((b) => b.text),
    }));

  return {
    server,
    conversationId: (user) => `telegram:${chatId(user)}`,
    say: (user, text, id) => deliver(textUpdate({ updateId: updateId(id), chatId: chatId(user), text, languageCode: 'zh-hans' })),
    pick: async (user, n, id) => {
      const withButtons = api.sentTo(chatId(user)).filter((m) => (m.reply_markup as Keyboard | undefined)?.inline_keyboard);
      const buttons = ((withButtons.at(-1)?.reply_markup as Keyboard | undefined)?.inline_keyboard ?? []).flat().filter((b) => b.callback_data !== undefined);
      const data = buttons[n - 1]?.callback_data;
      if (data === undefined) throw new Error(`no button ${n} to tap for ${user}`);
      await deliver(callbackUpdate({ updateId: updateId(id), chatId: chatId(user), data }));
    },
    seen: async (user) => seen(user),
    sendBadPayload: () => post(JSON.stringify({ hello: 'not an update' })),
    stop: async () => {
      await server.stop();
      await api.stop();
    },
  };
});
