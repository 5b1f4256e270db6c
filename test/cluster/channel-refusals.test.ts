import { describe, expect, it } from 'vitest';
import { telegramChannel } from '../../channels/telegram/index.ts';
import { wechatyChannel } from '../../channels/wechaty/index.ts';
import type { ChannelDeps } from '../../src/server/channel-adapter.ts';

const deps = (clustered: boolean) => ({ clustered }) as unknown as ChannelDeps;
const token = { TELEGRAM_BOT_TOKEN: '123456789:refusal-test-token' };

describe('channels that allow one client per account, on several instances', () => {
  it('Telegram long polling is refused with what to do instead; webhook mode is not', async () => {
    await expect(telegramChannel.create({ ...token, TELEGRAM_MODE: 'polling' }, deps(true))).rejects.toThrow(/TELEGRAM_MODE=polling cannot run on several instances.*TELEGRAM_MODE=webhook/);
    const webhook = { ...token, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_URL: 'https://bot.example.gov.cn/channels/telegram/webhook', TELEGRAM_WEBHOOK_SECRET: 'a-long-random-webhook-secret-9f8e7d' };
    await expect(telegramChannel.create(webhook, deps(true))).resolves.toBeTruthy();
  });

  it('Wechaty is refused on several instances and left off when not configured', async () => {
    await expect(wechatyChannel.create({ WECHATY_PUPPET: 'wechaty-puppet-mock' }, deps(true))).rejects.toThrow(/Wechaty channel cannot run on several instances/);
    await expect(wechatyChannel.create({}, deps(true))).resolves.toBeNull();
  });
});
