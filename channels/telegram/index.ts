/** The Telegram channel: on when TELEGRAM_BOT_TOKEN is set. */
import { parseEnv } from '../../src/config.ts';
import type { ChannelPlugin } from '../../src/server/channel-adapter.ts';
import { TelegramAdapter } from './adapter.ts';
import { telegramConfigSchema } from './config.ts';
import { CHANNEL } from './inbound.ts';

export const telegramChannel: ChannelPlugin = {
  name: CHANNEL,
  create(env, deps) {
    if (!env.TELEGRAM_BOT_TOKEN) return null;
    return new TelegramAdapter(parseEnv(telegramConfigSchema, env), deps);
  },
};
