/** The Telegram channel's environment variables. */
import { z } from 'zod';
import { checkProductionSecrets } from '../../src/config.ts';

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

export const telegramConfigSchema = z
  .object({
    /** From @BotFather; its presence turns the channel on. */
    TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'expected a bot token like 123456789:AAH…, as @BotFather gives it'),
    TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
    /** The public URL Telegram posts updates to; it must reach `/channels/telegram/webhook` on this server. */
    TELEGRAM_WEBHOOK_URL: httpUrl.optional(),
    /** Sent back by Telegram in the X-Telegram-Bot-Api-Secret-Token header; 1-256 of A-Z a-z 0-9 _ -. */
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, 'expected 1-256 characters of A-Z, a-z, 0-9, _ and -')
      .optional(),
    /** Bot API server root (a self-hosted Bot API server, or a fake one in tests). */
    TELEGRAM_API_ROOT: httpUrl.default('https://api.telegram.org'),
    NODE_ENV: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.TELEGRAM_MODE !== 'webhook') return;
    // The bot token itself is checked by Telegram (getMe) at start; the webhook secret is ours to choose well.
    if (env.TELEGRAM_WEBHOOK_SECRET) checkProductionSecrets(env, ctx, { TELEGRAM_WEBHOOK_SECRET: 16 });
    for (const key of ['TELEGRAM_WEBHOOK_URL', 'TELEGRAM_WEBHOOK_SECRET'] as const) {
      if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when TELEGRAM_MODE=webhook' });
    }
  });

export type TelegramConfig = z.infer<typeof telegramConfigSchema>;
