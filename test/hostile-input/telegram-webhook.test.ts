/** The Telegram webhook fed the hostile-input corpus, malformed updates, forged secrets, replays and a flood. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramChannel } from '../../channels/telegram/index.ts';
import { TOO_FAST_TEXT } from '../../src/ops/rate-limits.ts';
import { startFakeTelegramApi, textUpdate, type FakeTelegramApi } from '../fakes/telegram-api.ts';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';
import { expectNothingStoredUnmasked, expectStillAnswers, HOSTILE_TEXTS, hugeJson, MALFORMED_JSON, WRONG_TYPES } from './corpus.ts';

const TOKEN = '123456789:hostile-input-test-token';
const SECRET = 'hostile-input-webhook-secret';

let api: FakeTelegramApi;
let server: TestServer;
let nextUpdate = 900_000;

beforeAll(async () => {
  api = await startFakeTelegramApi(TOKEN);
  server = await startTestServer({
    channels: [telegramChannel],
    env: api.webhookEnv(SECRET),
    config: { RATE_LIMIT_CONVERSATION_PER_MINUTE: '3' },
  });
});

afterAll(async () => {
  await server?.stop();
  await api?.stop();
});

const post = async (body: string, secret: string | null = SECRET): Promise<number> => {
  const res = await fetch(`${server.url}/channels/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
    body,
  });
  await res.arrayBuffer();
  return res.status;
};

describe('telegram webhook: hostile input', () => {
  it('answers every corpus text as plain text, one conversation each', async () => {
    for (const [index, [name, text]] of HOSTILE_TEXTS.entries()) {
      const chatId = 7000 + index;
      expect(await post(JSON.stringify(textUpdate({ updateId: ++nextUpdate, chatId, text }))), name).toBe(200);
      const [sent] = api.sentTo(chatId);
      expect(sent, name).toBeDefined();
      expect(sent?.parse_mode, name).toBeUndefined();
    }
    expectNothingStoredUnmasked(server);
    await expectStillAnswers(server);
  });

  it('rejects malformed JSON, wrong types and oversized bodies with 4xx, storing nothing', async () => {
    for (const body of MALFORMED_JSON) expect(await post(body), body).toBe(400);
    for (const [name, value] of WRONG_TYPES.filter(([, v]) => typeof v !== 'number')) {
      expect(await post(JSON.stringify({ update_id: value })), name).toBe(400);
      const update = textUpdate({ updateId: ++nextUpdate, chatId: 7100, text: 'x' }) as unknown as { message: Record<string, unknown> };
      expect(await post(JSON.stringify({ ...update, message: { ...update.message, chat: { id: value } } })), name).toBe(400);
    }
    expect(await post(hugeJson())).toBe(413);
    expect(await server.store.messages.listByConversation('telegram:7100')).toEqual([]);
    await expectStillAnswers(server);
  });

  it('refuses a forged or missing secret token with 403', async () => {
    const update = JSON.stringify(textUpdate({ updateId: ++nextUpdate, chatId: 7200, text: '居住证怎么办理' }));
    expect(await post(update, 'forged-secret-value')).toBe(403);
    expect(await post(update, `${SECRET}x`)).toBe(403);
    expect(await post(update, null)).toBe(403);
    expect(api.sentTo(7200)).toEqual([]);
  });

  it('answers a replayed update once', async () => {
    const update = JSON.stringify(textUpdate({ updateId: ++nextUpdate, chatId: 7300, text: '护照怎么办理' }));
    expect(await post(update)).toBe(200);
    expect(await post(update)).toBe(200);
    expect(api.sentTo(7300)).toHaveLength(1);
    expect((await server.store.messages.listByConversation('telegram:7300')).filter((m) => m.direction === 'in')).toHaveLength(1);
  });

  it('tells a flooding citizen once to slow down, then drops, always answering Telegram 200', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await post(JSON.stringify(textUpdate({ updateId: ++nextUpdate, chatId: 7400, text: `护照怎么办理${i}` }))));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const texts = await eventually(() => (api.sentTo(7400).length >= 4 ? api.sentTo(7400).map((m) => String(m.text)) : undefined));
    expect(texts).toHaveLength(4);
    expect(texts[3]).toBe(TOO_FAST_TEXT);
    expect((await server.store.messages.listByConversation('telegram:7400')).filter((m) => m.direction === 'in')).toHaveLength(3);
  });
});
