/**
 * A fake Telegram Bot API on 127.0.0.1 (`/bot<token>/<method>`): records what the bot calls, answers like
 * the real one, serves `getUpdates` from a queue (long polling), and refuses chats marked as blocked with 403.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Bot API call as the fake received it. */
export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
}

export interface FakeTelegramApi {
  /** The value for TELEGRAM_API_ROOT. */
  url: string;
  /** The settings that run the Telegram channel in webhook mode against this fake (with `secret` as the webhook secret). */
  webhookEnv(secret: string): NodeJS.ProcessEnv;
  calls: RecordedCall[];
  /** Parameters of every call of one method, oldest first. */
  callsOf(method: string): Record<string, unknown>[];
  /** The sendMessage calls addressed to one chat, oldest first. */
  sentTo(chatId: number): Record<string, unknown>[];
  /** Queues an update for the bot's next getUpdates (it must carry `update_id`). */
  queueUpdate(update: { update_id: number } & Record<string, unknown>): void;
  /** From now on, sendMessage to this chat fails like it does after the user blocked the bot. */
  block(chatId: number): void;
  stop(): Promise<void>;
}

const ROUTE = /^\/bot([^/]+)\/([A-Za-z]+)$/;
/** A long poll is held at most this long even if the bot asked for longer, so a stopping test never waits on it. */
const MAX_HOLD_MS = 2000;

export async function startFakeTelegramApi(token: string): Promise<FakeTelegramApi> {
  const calls: RecordedCall[] = [];
  const blocked = new Set<string>();
  let updates: ({ update_id: number } & Record<string, unknown>)[] = [];
  const waiters = new Set<() => void>();
  const botId = Number(token.split(':')[0]);
  const me = { id: botId, is_bot: true, first_name: 'Huiying Test', username: 'huiying_test_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
  let messageId = 0;

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    if (res.writableEnded) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, result: unknown): void => send(res, 200, { ok: true, result });
  const fail = (res: ServerResponse, code: number, description: string): void => send(res, code, { ok: false, error_code: code, description });

  const getUpdates = (params: Record<string, unknown>, res: ServerResponse): void => {
    const offset = Number(params.offset ?? 0);
    const limit = Number(params.limit ?? 100);
    // Telegram forgets updates below the offset: the bot has confirmed them.
    if (offset > 0) updates = updates.filter((u) => u.update_id >= offset);
    const answer = (): void => ok(res, updates.slice(0, limit));
    const timeoutMs = Math.min(Number(params.timeout ?? 0) * 1000, MAX_HOLD_MS);
    if (updates.length > 0 || timeoutMs <= 0) return answer();
    const done = (): void => {
      clearTimeout(timer);
      waiters.delete(done);
      answer();
    };
    const timer = setTimeout(done, timeoutMs);
    waiters.add(done);
    res.on('close', () => {
      clearTimeout(timer);
      waiters.delete(done);
    });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = ROUTE.exec(new URL(req.url ?? '/', 'http://api').pathname);
      if (!match) return fail(res, 404, 'Not Found');
      if (decodeURIComponent(match[1]!) !== token) return fail(res, 401, 'Unauthorized');
      const method = match[2]!;
      let params: Record<string, unknown> = {};
      try {
        const raw = Buffer.concat(chunks).toString('utf8');
        if (raw) params = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return fail(res, 400, 'Bad Request: body is not JSON');
      }
      calls.push({ method, params });
      switch (method) {
        case 'getMe':
          return ok(res, me);
        case 'getUpdates':
          return getUpdates(params, res);
        case 'setWebhook':
        case 'deleteWebhook':
        case 'answerCallbackQuery':
          return ok(res, true);
        case 'sendMessage': {
          const chatId = params.chat_id;
          if (typeof params.text !== 'string' || params.text.length === 0) return fail(res, 400, 'Bad Request: message text is empty');
          if (params.text.length > 4096) return fail(res, 400, 'Bad Request: message is too long');
          if (blocked.has(String(chatId))) return fail(res, 403, 'Forbidden: bot was blocked by the user');
          return ok(res, { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, from: me, text: params.text, reply_markup: params.reply_markup });
        }
        default:
          return fail(res, 404, 'Not Found: method not found');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const callsOf = (method: string): Record<string, unknown>[] => calls.filter((c) => c.method === method).map((c) => c.params);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    webhookEnv: (secret) => ({
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.gov.cn/channels/telegram/webhook',
      TELEGRAM_WEBHOOK_SECRET: secret,
      TELEGRAM_API_ROOT: url,
    }),
    calls,
    callsOf,
    sentTo: (chatId) => callsOf('sendMessage').filter((p) => String(p.chat_id) === String(chatId)),
    queueUpdate: (update) => {
      updates.push(update);
      for (const wake of [...waiters]) wake();
    },
    block: (chatId) => {
      blocked.add(String(chatId));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const wake of [...waiters]) wake();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A private-chat text message update, as Telegram delivers it (the user id is the chat id). */
export function textUpdate(o: { updateId: number; chatId: number; text: string; languageCode?: string }): { update_id: number } & Record<string, unknown> {
  const from = { id: o.chatId, is_bot: false, first_name: `Citizen ${o.chatId}`, ...(o.languageCode ? { language_code: o.languageCode } : {}) };
  const entities = o.text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: o.text.split(/\s/)[0]!.length }] : undefined;
  return {
    update_id: o.updateId,
    message: { message_id: o.updateId, date: Math.floor(Date.now() / 1000), chat: { id: o.chatId, type: 'private', first_name: from.first_name }, from, text: o.text, entities },
  };
}

/** The update Telegram sends when the user taps an inline button carrying `data`. */
export function callbackUpdate(o: { updateId: number; chatId: number; data: string; queryId?: string }): { update_id: number } & Record<string, unknown> {
  const from = { id: o.chatId, is_bot: false, first_name: `Citizen ${o.chatId}` };
  return {
    update_id: o.updateId,
    callback_query: {
      id: o.queryId ?? `query-${o.updateId}`,
      from,
      chat_instance: `instance-${o.chatId}`,
      data: o.data,
      message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: o.chatId, type: 'private' }, text: '…' },
    },
  };
}
