/** Telegram's pure pieces: replies as messages with buttons, updates as core messages, the welcome, the settings. */
import { describe, expect, it } from 'vitest';
import type { ChannelDeps } from '../../src/server/channel-adapter.ts';
import { ConfigError } from '../../src/config.ts';
import { telegramChannel } from '../../channels/telegram/index.ts';
import { parseUpdate, toIncomingMessage } from '../../channels/telegram/inbound.ts';
import { renderReplies, TELEGRAM_MAX_TEXT } from '../../channels/telegram/render.ts';
import { welcomeText } from '../../channels/telegram/welcome.ts';
import { callbackUpdate, textUpdate } from '../fakes/telegram-api.ts';

describe('telegram render', () => {
  it('shows choices as buttons that send the choice value back, and keeps the numbered text', () => {
    const [message, ...rest] = renderReplies([
      { text: '您是想问：\n1. 驾驶证换证\n2. 驾驶证补领', choices: [{ label: '驾驶证换证', value: '1' }, { label: '驾驶证补领', value: '2' }] },
    ]);
    expect(rest).toEqual([]);
    expect(message?.text).toContain('2. 驾驶证补领');
    expect(message?.reply_markup?.inline_keyboard).toEqual([[{ text: '驾驶证换证', callback_data: '1' }], [{ text: '驾驶证补领', callback_data: '2' }]]);
  });

  it('writes a choice whose value is too long for a button (64 bytes) as a line of text', () => {
    const long = '我想咨询一下关于外地户籍人员办理居住证的具体流程和材料要求';
    const [message] = renderReplies([{ text: '请选择：', choices: [{ label: '居住证', value: long }, { label: '转人工', value: '转人工' }] }]);
    expect(message?.text).toContain(`居住证: ${long}`);
    expect(message?.reply_markup?.inline_keyboard).toEqual([[{ text: '转人工', callback_data: '转人工' }]]);
  });

  it('splits a long answer under 4096 characters, at line breaks, with the buttons on the last part', () => {
    const line = '办理材料：身份证原件及复印件、近期一寸免冠照片、居住证明。';
    const text = Array.from({ length: 400 }, (_, i) => `${i + 1}. ${line}`).join('\n');
    const messages = renderReplies([{ text, links: [{ title: '办事指南', url: 'https://gov.example.cn/guide' }] }]);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(m.text.length).toBeLessThanOrEqual(TELEGRAM_MAX_TEXT);
    expect(messages.map((m) => m.text).join('\n')).toBe(text);
    expect(messages.slice(0, -1).every((m) => m.reply_markup === undefined)).toBe(true);
    expect(messages.at(-1)?.reply_markup?.inline_keyboard).toEqual([[{ text: '办事指南', url: 'https://gov.example.cn/guide' }]]);
  });

  it('keeps pieces under the limit when the text is full of emoji (two UTF-16 units each)', () => {
    const messages = renderReplies([{ text: '👍'.repeat(5000) }]);
    expect(messages.every((m) => m.text.length <= TELEGRAM_MAX_TEXT)).toBe(true);
    expect(messages.map((m) => m.text).join('')).toBe('👍'.repeat(5000));
  });

  it('makes web links URL buttons and writes other links as text lines', () => {
    const [message] = renderReplies([
      {
        text: '护照换发请预约。',
        links: [
          { title: '网上预约', url: 'https://gov.example.cn/book' },
          { title: '咨询电话', url: 'tel:12345' },
        ],
      },
    ]);
    expect(message?.text).toBe('护照换发请预约。\n咨询电话: tel:12345');
    expect(message?.reply_markup?.inline_keyboard).toEqual([[{ text: '网上预约', url: 'https://gov.example.cn/book' }]]);
  });

  it('names the staff member who wrote a reply, and sends plain text without a parse mode', () => {
    const messages = renderReplies([{ text: '您的材料已审核通过。*不是粗体*', staffName: '王芳' }]);
    expect(messages).toEqual([{ text: '【王芳】您的材料已审核通过。*不是粗体*' }]);
  });
});

describe('telegram inbound', () => {
  const now = new Date('2025-01-01T00:00:00Z');

  it('reads a text message as the citizen of that chat, deduplicated by update_id', () => {
    const message = toIncomingMessage(parseUpdate(textUpdate({ updateId: 42, chatId: 777, text: '社保卡怎么办理' }))!, now);
    expect(message).toMatchObject({ channel: 'telegram', conversationId: 'telegram:777', senderId: '777', text: '社保卡怎么办理', platformMessageId: '42', address: { chatId: 777 } });
  });

  it('reads a button tap as the citizen sending the button value', () => {
    const message = toIncomingMessage(parseUpdate(callbackUpdate({ updateId: 43, chatId: 777, data: '2' }))!, now);
    expect(message).toMatchObject({ conversationId: 'telegram:777', text: '2', platformMessageId: '43', time: now, address: { chatId: 777 } });
  });

  it('ignores updates without text, such as a sticker', () => {
    const sticker = { update_id: 44, message: { message_id: 1, date: 0, chat: { id: 777, type: 'private' }, sticker: { file_id: 'x' } } };
    expect(toIncomingMessage(parseUpdate(sticker)!, now)).toBeNull();
  });

  it('refuses bodies that are not updates', () => {
    expect(parseUpdate({ hello: 'world' })).toBeNull();
    expect(parseUpdate([])).toBeNull();
    expect(parseUpdate('{"update_id":1}')).toBeNull();
    expect(parseUpdate({ update_id: 1, message: { message_id: 1, date: 0, text: 'no chat' } })).toBeNull();
    expect(parseUpdate({ update_id: 1, callback_query: { id: 'q', data: '1' } })).toBeNull();
  });
});

describe('telegram welcome', () => {
  it('greets in Chinese for zh language codes and when none is sent, in English otherwise', () => {
    expect(welcomeText('zh-hans')).toContain('转人工');
    expect(welcomeText(undefined)).toContain('您好');
    expect(welcomeText('en')).toContain('send "human"');
    expect(welcomeText('de')).toContain('Hello');
  });
});

describe('telegram settings', () => {
  const deps = {} as ChannelDeps;

  it('stays off without TELEGRAM_BOT_TOKEN', async () => {
    expect(await telegramChannel.create({ TELEGRAM_MODE: 'webhook' }, deps)).toBeNull();
  });

  it('names the missing webhook variables in webhook mode', async () => {
    await expect(telegramChannel.create({ TELEGRAM_BOT_TOKEN: '1:abc', TELEGRAM_MODE: 'webhook' }, deps)).rejects.toThrow(ConfigError);
    await expect(telegramChannel.create({ TELEGRAM_BOT_TOKEN: '1:abc', TELEGRAM_MODE: 'webhook' }, deps)).rejects.toThrow(/TELEGRAM_WEBHOOK_URL[\s\S]*TELEGRAM_WEBHOOK_SECRET/);
  });

  it('rejects a malformed token, mode, secret or API root', async () => {
    await expect(telegramChannel.create({ TELEGRAM_BOT_TOKEN: 'not-a-token' }, deps)).rejects.toThrow(/TELEGRAM_BOT_TOKEN/);
    await expect(telegramChannel.create({ TELEGRAM_BOT_TOKEN: '1:abc', TELEGRAM_MODE: 'push' }, deps)).rejects.toThrow(/TELEGRAM_MODE/);
    await expect(telegramChannel.create({ TELEGRAM_BOT_TOKEN: '1:abc', TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_URL: 'https://a.example/x', TELEGRAM_WEBHOOK_SECRET: 'has spaces' }, deps)).rejects.toThrow(/TELEGRAM_WEBHOOK_SECRET/);
    await expect(telegramChannel.create({ TELEGRAM_BOT_TOKEN: '1:abc', TELEGRAM_API_ROOT: 'ftp://x' }, deps)).rejects.toThrow(/TELEGRAM_API_ROOT/);
  });

  it('starts in polling mode with just a token', async () => {
    const adapter = await telegramChannel.create({ TELEGRAM_BOT_TOKEN: '1:abc' }, deps);
    expect(adapter?.name).toBe('telegram');
    expect(adapter?.capabilities).toEqual({ buttons: true, richLinks: true, maxTextLength: 4096 });
  });
});
