/** The Telegram channel: a telegraf bot fed by long polling or by the webhook, answering through the core. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Router } from 'express';
import { Telegraf, TelegramError, type Context } from 'telegraf';
import { message } from 'telegraf/filters';
import type { Update } from 'telegraf/types';
import type { DeliveryResult } from '../../src/core/delivery.ts';
import type { Reply } from '../../src/core/message.ts';
import type { ChannelAdapter, ChannelCapabilities, ChannelDeps } from '../../src/server/channel-adapter.ts';
import { overConversationLimit } from '../../src/ops/rate-limits.ts';
import { withRequestId } from '../../src/ops/request-context.ts';
import type { TelegramConfig } from './config.ts';
import { CHANNEL, parseUpdate, toIncomingMessage } from './inbound.ts';
import { renderReplies, TELEGRAM_MAX_TEXT } from './render.ts';
import { welcomeText } from './welcome.ts';

/** Header in which Telegram returns the webhook's secret_token. */
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** The only updates the channel reads; Telegram does not send the others. */
const ALLOWED_UPDATES: ('message' | 'callback_query')[] = ['message', 'callback_query'];

export class TelegramAdapter implements ChannelAdapter {
  readonly name = CHANNEL;
  readonly capabilities: ChannelCapabilities = { buttons: true, richLinks: true, maxTextLength: TELEGRAM_MAX_TEXT };
  private readonly bot: Telegraf;
  /** telegraf's launch() in polling mode: settles only when polling stops. */
  private polling: Promise<void> | undefined;

  constructor(
    private readonly config: TelegramConfig,
    private readonly deps: ChannelDeps,
  ) {
    this.bot = new Telegraf(config.TELEGRAM_BOT_TOKEN, { telegram: { apiRoot: config.TELEGRAM_API_ROOT, webhookReply: false } });
    // Polled updates get a request id of their own; webhook updates keep their HTTP request's.
    this.bot.use((_ctx, next) => withRequestId(next));
    this.bot.start((ctx) => this.greet(ctx));
    this.bot.help((ctx) => this.greet(ctx));
    this.bot.on('callback_query', async (ctx) => {
      // Stops the spinner on the tapped button; a late or repeated answer must not keep the pick from the core.
      await ctx.answerCbQuery().catch((err: unknown) => deps.logger.warn({ err: this.describe(err), updateId: ctx.update.update_id }, 'telegram answerCallbackQuery failed'));
      await this.receive(ctx.update);
    });
    this.bot.on(message('text'), (ctx) => this.receive(ctx.update));
    this.bot.catch((err, ctx) => {
      const stack = err instanceof Error && err.stack ? this.redact(err.stack) : undefined;
      deps.logger.error({ err: this.describe(err), stack, updateId: ctx.update.update_id }, 'telegram update not handled');
      // The webhook then answers 500 so Telegram delivers the update again; a stored copy is deduplicated by update_id.
      // Polling has already moved past the update, and rethrowing would end the polling loop.
      if (config.TELEGRAM_MODE === 'webhook') throw err;
    });
  }

  mount(router: Router): void {
    if (this.config.TELEGRAM_MODE !== 'webhook') return;
    const secret = this.config.TELEGRAM_WEBHOOK_SECRET ?? '';
    router.post('/webhook', async (req, res) => {
      if (!sameSecret(req.get(SECRET_HEADER), secret)) {
        res.status(403).json({ error: 'forbidden', message: 'missing or wrong secret token' });
        return;
      }
      const update = parseUpdate(req.body);
      if (!update) {
        res.status(400).json({ error: 'bad_request', message: 'body is not a Telegram update' });
        return;
      }
      try {
        await this.bot.handleUpdate(update);
        res.status(200).end();
      } catch {
        res.status(500).json({ error: 'internal', message: 'update not handled; Telegram will retry' });
      }
    });
  }

  /** Checks the token, then registers the webhook or starts long polling; throws when the Bot API cannot be reached. */
  async start(): Promise<void> {
    try {
      this.bot.botInfo = await this.bot.telegram.getMe();
    } catch (err) {
      throw new Error(`telegram: getMe failed at ${this.config.TELEGRAM_API_ROOT} (${this.describe(err)}); check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT`);
    }
    const bot = `@${this.bot.botInfo.username}`;
    if (this.config.TELEGRAM_MODE === 'webhook') {
      await this.bot.telegram.setWebhook(this.config.TELEGRAM_WEBHOOK_URL ?? '', {
        secret_token: this.config.TELEGRAM_WEBHOOK_SECRET,
        allowed_updates: ALLOWED_UPDATES,
      });
      this.deps.logger.info({ bot, url: this.config.TELEGRAM_WEBHOOK_URL }, 'telegram webhook set');
      return;
    }
    // In telegraf 4.16 launch() resolves only once polling stops, so it is kept for stop() rather than awaited.
    this.polling = this.bot.launch({ allowedUpdates: ALLOWED_UPDATES }).catch((err: unknown) => {
      this.deps.logger.error({ err: this.describe(err) }, 'telegram polling stopped');
    });
    this.deps.logger.info({ bot }, 'telegram long polling started');
  }

  /** Stops polling. The webhook stays registered, so Telegram keeps updates until the server is back. */
  async stop(): Promise<void> {
    const polling = this.polling;
    this.polling = undefined;
    if (!polling) return;
    const stopped = polling.then(() => true);
    // launch() creates its poller one API call (deleteWebhook) after start() returned; bot.stop() throws until then.
    while (!this.stopPolling()) {
      if (await Promise.race([stopped, delay(20, false)])) break;
    }
    await stopped;
  }

  async send(conversationId: string, replies: readonly Reply[]): Promise<DeliveryResult> {
    const chatId = (await this.deps.store.addresses.get(conversationId))?.address.chatId;
    if (typeof chatId !== 'number') return { status: 'undeliverable', reason: 'no_route', detail: `no Telegram chat known for ${conversationId}` };
    return this.deliver(chatId, replies);
  }

  /** Stores the citizen's message and the answer through the core (the answer in the outbox too), then sends it. */
  private async receive(update: Update): Promise<void> {
    const incoming = toIncomingMessage(update, new Date());
    if (!incoming) return;
    const chatId = incoming.address.chatId;
    if (await overConversationLimit(this.deps, incoming.conversationId, (text) => this.deliver(chatId, [{ text }]))) return;
    const { delivery } = await this.deps.service.handle(incoming, { send: (replies) => this.deliver(chatId, replies) });
    if (delivery && delivery.status !== 'sent') {
      // The answer is already in the transcript, so staff can see what the citizen missed.
      this.deps.logger.warn({ conversationId: incoming.conversationId, updateId: update.update_id, delivery }, 'telegram answer not delivered');
    }
  }

  private async greet(ctx: Context): Promise<void> {
    if (!ctx.chat) return;
    const delivery = await this.deliver(ctx.chat.id, [{ text: welcomeText(ctx.from?.language_code) }]);
    if (delivery.status !== 'sent') this.deps.logger.warn({ updateId: ctx.update.update_id, delivery }, 'telegram welcome not delivered');
  }

  private async deliver(chatId: number, replies: readonly Reply[]): Promise<DeliveryResult> {
    for (const { text, reply_markup } of renderReplies(replies)) {
      try {
        await this.bot.telegram.sendMessage(chatId, text, reply_markup ? { reply_markup } : {});
      } catch (err) {
        // 403 Forbidden: blocked by the user, the account deleted, or the bot removed from the group.
        if (err instanceof TelegramError && err.code === 403) return { status: 'undeliverable', reason: 'blocked', detail: err.description };
        return { status: 'undeliverable', reason: 'failed', detail: this.describe(err) };
      }
    }
    return { status: 'sent' };
  }

  /** True once the poller was told to stop (or has already ended). */
  private stopPolling(): boolean {
    try {
      this.bot.stop('huiying stop');
      return true;
    } catch {
      return false;
    }
  }

  /** An error's message without the bot token (network errors quote the request URL, which contains it). */
  private describe(err: unknown): string {
    return this.redact(err instanceof Error ? err.message : String(err));
  }

  private redact(text: string): string {
    return text.replaceAll(this.config.TELEGRAM_BOT_TOKEN, '<token>');
  }
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined || !expected) return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
