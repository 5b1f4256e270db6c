/** The Telegram channel: on when TELEGRAM_BOT_TOKEN is set. */
import { ConfigError, parseEnv } from '../../src/config.ts';
import type { ChannelPlugin } from '../../src/server/channel-adapter.ts';
import { telegramConfigSchema } from './config.ts';
import { CHANNEL } from './inbound.ts';

/** telegraf is imported only when the channel is configured. */
export const telegramChannel: ChannelPlugin = {
  name: CHANNEL,
  async create(env, deps) {
    if (!env.TELEGRAM_BOT_TOKEN) return null;
    const config = parseEnv(telegramConfigSchema, env);
    if (deps.clustered && config.TELEGRAM_MODE === 'polling') {
      throw new ConfigError(
        'TELEGRAM_MODE=polling cannot run on several instances (REDIS_URL is set): Telegram lets one client poll a bot. Use TELEGRAM_MODE=webhook (README "Running several instances").',
      );
    }
    const { TelegramAdapter } = await import('./adapter.ts');
    return new TelegramAdapter(config, deps);
  },
};
