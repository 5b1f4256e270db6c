/** With NODE_ENV=production the server refuses to start when a configured channel's secret is missing or a known placeholder. */
import { describe, expect, it } from 'vitest';
import { botframeworkChannel } from '../../channels/botframework/index.ts';
import { telegramChannel } from '../../channels/telegram/index.ts';
import { webChannel } from '../../channels/web/index.ts';
import { wechatChannel } from '../../channels/wechat/index.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { ChannelDeps, ChannelPlugin } from '../../src/server/channel-adapter.ts';

const deps = { logger: createLogger('silent') } as ChannelDeps;
const PROD = { NODE_ENV: 'production' };
const DATA_KEY = 'q3J8Xv1mZt7LwP0cR5nYb2Hs9Kd4Fg6Ae8Uj1Oi3Tl0=';
const STRONG = 'f3a9c1d7e2b84f60a5c9d3e1b7f2a4c8';

/** The ConfigError message when `plugin` refuses `env`, or null when it accepts it. */
async function refusal(plugin: ChannelPlugin, env: NodeJS.ProcessEnv): Promise<string | null> {
  try {
    await plugin.create(env, deps);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
}

const wechat = { WECHAT_TOKEN: 'k8Jd2Lq9Xv4Tz7Pw', WECHAT_APP_ID: 'wx5e6f7a8b9c0d1e2f', WECHAT_APP_SECRET: STRONG, WECHAT_ENCODING_AES_KEY: 'Kq7vN2xR9tL4mP8wZ3yB6cF1hJ5dG0sA2eU7iO9rT4k' };
const telegram = { TELEGRAM_BOT_TOKEN: '7012345678:AAHr4c9XwPq2LmZ8tYv3Kd7Nf1Bs6Gj0Ue', TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_URL: 'https://bot.example.gov.cn/channels/telegram/webhook', TELEGRAM_WEBHOOK_SECRET: STRONG };
const botframework = { MICROSOFT_APP_ID: '3f2b8c1e-7d4a-4e9b-8a6c-2d1f0e9b7a54', MICROSOFT_APP_PASSWORD: 'Qx8~v2LmZt7.Rw4KpY9sNd3Hc6Fg1Bj5Ae0Uo' };

describe('production secrets', () => {
  it('accepts strong secrets', async () => {
    expect(() => loadConfig({ ...PROD, DATA_KEY, METRICS_TOKEN: STRONG })).not.toThrow();
    expect(await refusal(wechatChannel, { ...PROD, ...wechat })).toBeNull();
    expect(await refusal(telegramChannel, { ...PROD, ...telegram })).toBeNull();
    expect(await refusal(botframeworkChannel, { ...PROD, ...botframework })).toBeNull();
  });

  it.each([
    ['the .env.example webhook secret', telegramChannel, { ...telegram, TELEGRAM_WEBHOOK_SECRET: 'change-me-to-a-long-random-string' }, 'TELEGRAM_WEBHOOK_SECRET'],
    ['a short webhook secret', telegramChannel, { ...telegram, TELEGRAM_WEBHOOK_SECRET: 'k9Xq2' }, 'TELEGRAM_WEBHOOK_SECRET'],
    ['a missing webhook secret', telegramChannel, { ...telegram, TELEGRAM_WEBHOOK_SECRET: '' }, 'TELEGRAM_WEBHOOK_SECRET'],
    ['a token saying "token"', wechatChannel, { ...wechat, WECHAT_TOKEN: 'huiyingtoken' }, 'WECHAT_TOKEN'],
    ['a short token', wechatChannel, { ...wechat, WECHAT_TOKEN: 'k8Jd2Lq9' }, 'WECHAT_TOKEN'],
    ["WeChat's documentation sample key", wechatChannel, { ...wechat, WECHAT_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' }, 'WECHAT_ENCODING_AES_KEY'],
    ['a key of one character', wechatChannel, { ...wechat, WECHAT_ENCODING_AES_KEY: 'a'.repeat(43) }, 'WECHAT_ENCODING_AES_KEY'],
    ['a missing AppSecret', wechatChannel, { ...wechat, WECHAT_APP_SECRET: '' }, 'WECHAT_APP_SECRET'],
    ['"changeme" as AppSecret', wechatChannel, { ...wechat, WECHAT_APP_SECRET: 'changeme-changeme' }, 'WECHAT_APP_SECRET'],
    ['a placeholder app password', botframeworkChannel, { ...botframework, MICROSOFT_APP_PASSWORD: 'your-secret-here' }, 'MICROSOFT_APP_PASSWORD'],
    ['a missing app password', botframeworkChannel, { MICROSOFT_APP_ID: botframework.MICROSOFT_APP_ID }, 'MICROSOFT_APP_PASSWORD'],
    ['any portal allowed (*)', webChannel, { WEB_ALLOWED_ORIGINS: '*' }, 'WEB_ALLOWED_ORIGINS'],
  ] as const)('refuses %s, naming the variable', async (_name, plugin, env, variable) => {
    const message = await refusal(plugin, { ...PROD, ...env });
    expect(message).toContain(variable);
    // The same settings start in development.
    if (variable !== 'WECHAT_APP_SECRET' && variable !== 'MICROSOFT_APP_PASSWORD' && !(variable === 'TELEGRAM_WEBHOOK_SECRET' && env.TELEGRAM_WEBHOOK_SECRET === '')) {
      expect(await refusal(plugin, env)).toBeNull();
    }
  });

  it('refuses a placeholder METRICS_TOKEN and a one-character DATA_KEY in production', () => {
    expect(() => loadConfig({ ...PROD, DATA_KEY, METRICS_TOKEN: 'change-me-to-a-long-random-string' })).toThrow(/METRICS_TOKEN: looks like a placeholder/);
    expect(() => loadConfig({ ...PROD, DATA_KEY: `${'A'.repeat(43)}=` })).toThrow(/DATA_KEY: is one repeated character/);
    expect(() => loadConfig({ DATA_KEY: `${'A'.repeat(43)}=`, METRICS_TOKEN: 'change-me-to-a-long-random-string' })).not.toThrow();
  });

  it('refuses an open /metrics in production: METRICS_TOKEN, or METRICS_PUBLIC=true said on purpose', () => {
    expect(() => loadConfig({ ...PROD, DATA_KEY })).toThrow(/METRICS_TOKEN: is required when NODE_ENV=production.*METRICS_PUBLIC=true/s);
    expect(() => loadConfig({ ...PROD, DATA_KEY, METRICS_PUBLIC: 'true' })).not.toThrow();
    expect(() => loadConfig({ ...PROD, DATA_KEY, METRICS_TOKEN: STRONG })).not.toThrow();
    expect(() => loadConfig({ ...PROD, DATA_KEY, METRICS_PUBLIC: 'yes' })).toThrow(/METRICS_PUBLIC/);
    // Development keeps /metrics open without a token (localhost).
    expect(() => loadConfig({})).not.toThrow();
  });
});
