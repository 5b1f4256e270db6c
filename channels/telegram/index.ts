/** The Telegram channel: on when TELEGRAM_BOT_TOKEN is set. */
import { parseEnv } from '../../src/config.ts';
import type { ChannelPlugin } from '../../src/server/channel-adapter.ts';
import { telegramConfigSchema } from './config.ts';
import { CHANNEL } from './inbound.ts';

/** telegraf is imported only when the channel is configured. */
export const telegramChannel: ChannelPlugin = {
  name: CHANNEL,
  async create(env, deps) {
    if (!env.TELEGRAM_BOT_TOKEN) return null;
    const config = parseEnv(telegramConfigSchema, env);
    const { TelegramAdapter } = await import('./adapter.ts');
    return new TelegramAdapter(config, deps);
  },
};
