/** What a WeChat user reads for each core reply, and which Wechaty messages the bot takes up. */
import { describe, expect, it } from 'vitest';
import { decideInbound, parseWechatyAddress, type WechatyMessageFacts } from '../../channels/wechaty/inbound.ts';
import { renderWechaty, WECHATY_MAX_TEXT } from '../../channels/wechaty/render.ts';

describe('renderWechaty', () => {
  it('sends choices as the numbered list already in the text, so the citizen can answer "2"', () => {
    const text = '您是想问：\n1. 驾驶证换证\n2. 驾驶证补领';
    expect(renderWechaty([{ text, choices: [{ label: '驾驶证换证', value: '驾驶证换证' }, { label: '驾驶证补领', value: '驾驶证补领' }] }])).toEqual([text]);
  });

  it('writes links as "title: url" lines and skips empty replies', () => {
    expect(renderWechaty([{ text: '请在线办理。', links: [{ title: '政务服务网', url: 'https://zwfw.example.gov.cn' }] }, { text: '  ' }])).toEqual([
      '请在线办理。\n政务服务网: https://zwfw.example.gov.cn',
    ]);
  });

  it('splits a long reply at line breaks, each part under the limit, nothing lost', () => {
    const lines = Array.from({ length: 120 }, (_, i) => `第${i + 1}条：申请人应当如实填写申请表并提交相关材料。`);
    const parts = renderWechaty([{ text: lines.join('\n') }]);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Array.from(part).length).toBeLessThanOrEqual(WECHATY_MAX_TEXT);
    expect(parts.every((p) => p.startsWith('第'))).toBe(true);
    expect(parts.join('\n')).toBe(lines.join('\n'));
  });

  it('honours a smaller limit and cuts a text without line breaks', () => {
    const parts = renderWechaty([{ text: '办'.repeat(250) }], 100);
    expect(parts.map((p) => p.length)).toEqual([100, 100, 50]);
  });
});

describe('decideInbound', () => {
  const facts = (over: Partial<WechatyMessageFacts> = {}): WechatyMessageFacts => ({
    id: 'm1',
    self: false,
    talkerId: 'wxid_alice',
    kind: 'text',
    text: '居住证怎么办理',
    mentionsSelf: false,
    time: new Date('2025-01-01T08:00:00Z'),
    ...over,
  });

  it('turns a direct text into a message for the conversation with that contact', () => {
    expect(decideInbound(facts())).toEqual({
      action: 'handle',
      message: {
        channel: 'wechaty',
        conversationId: 'wechaty:wxid_alice',
        senderId: 'wxid_alice',
        text: '居住证怎么办理',
        time: new Date('2025-01-01T08:00:00Z'),
        platformMessageId: 'm1',
        address: { contactId: 'wxid_alice' },
      },
    });
  });

  it('makes a mentioned room message part of the room conversation', () => {
    const decision = decideInbound(facts({ roomId: '123@chatroom', mentionsSelf: true }));
    expect(decision).toMatchObject({ action: 'handle', message: { conversationId: 'wechaty:123@chatroom', senderId: 'wxid_alice', address: { contactId: 'wxid_alice', roomId: '123@chatroom' } } });
  });

  it('ignores its own messages, unmentioned room chatter, missing talkers and empty texts', () => {
    expect(decideInbound(facts({ self: true }))).toEqual({ action: 'ignore', reason: 'self' });
    expect(decideInbound(facts({ roomId: '123@chatroom' }))).toEqual({ action: 'ignore', reason: 'not_mentioned' });
    expect(decideInbound(facts({ talkerId: undefined }))).toEqual({ action: 'ignore', reason: 'no_talker' });
    expect(decideInbound(facts({ text: ' \n ' }))).toEqual({ action: 'ignore', reason: 'empty' });
  });

  it('answers media with a text-only notice in direct chats only, and ignores system messages', () => {
    expect(decideInbound(facts({ kind: 'media', text: '' }))).toEqual({ action: 'text_only' });
    expect(decideInbound(facts({ kind: 'media', text: '', roomId: '123@chatroom', mentionsSelf: true }))).toEqual({ action: 'ignore', reason: 'not_text' });
    expect(decideInbound(facts({ kind: 'other', text: '' }))).toEqual({ action: 'ignore', reason: 'not_text' });
  });

  it('reads back only addresses it wrote', () => {
    expect(parseWechatyAddress({ contactId: 'a', roomId: 'r@chatroom' })).toEqual({ contactId: 'a', roomId: 'r@chatroom' });
    expect(parseWechatyAddress({ contactId: 'a' })).toEqual({ contactId: 'a' });
    expect(parseWechatyAddress({ chatId: 5 })).toBeUndefined();
    expect(parseWechatyAddress({ contactId: 'a', roomId: 7 })).toBeUndefined();
  });
});
