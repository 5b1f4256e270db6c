import { describe, expect, it } from 'vitest';
import { parseAfter, parseClientFrame, parseMessageBody, toIncomingMessage } from '../../channels/web/inbound.ts';
import { isOriginAllowed } from '../../channels/web/origins.ts';
import { renderReply, safeLinks, toWidgetMessage } from '../../channels/web/render.ts';
import type { StoredMessage } from '../../src/core/ports.ts';

const stored = (over: Partial<StoredMessage>): StoredMessage => ({
  id: 7,
  conversationId: 'web:abcdefghijklmnop',
  channel: 'web',
  direction: 'out',
  text: '',
  createdAt: new Date('2025-01-02T03:04:05Z'),
  ...over,
});

describe('web widget rendering', () => {
  it('shows choices as buttons and drops the numbered lines and the "reply with a number" hint', () => {
    const shown = renderReply({
      text: '您是想问：\n1. 外地驾驶证转入本市\n2. 驾驶证遗失、损毁补领\n请回复序号，例如“1”。',
      choices: [
        { label: '外地驾驶证转入本市', value: '1' },
        { label: '驾驶证遗失、损毁补领', value: '2' },
      ],
    });
    expect(shown.text).toBe('您是想问：');
    expect(shown.choices?.map((c) => c.label)).toEqual(['外地驾驶证转入本市', '驾驶证遗失、损毁补领']);
  });

  it('keeps the text whole when it does not list the choices (the offer of a person)', () => {
    const text = '抱歉，这个问题我暂时无法回答。需要人工服务请回复“转人工”。';
    expect(renderReply({ text, choices: [{ label: '转人工', value: '转人工' }] })).toEqual({ text, choices: [{ label: '转人工', value: '转人工' }] });
  });

  it('lets only http(s) links through', () => {
    expect(
      safeLinks([
        { title: '网上申请', url: 'https://gaj.example.gov.cn/jzz' },
        { title: 'xss', url: 'javascript:alert(1)' },
        { title: 'xss2', url: ' JAVASCRIPT:alert(1)' },
        { title: 'data', url: 'data:text/html,<script>alert(1)</script>' },
        { title: 'broken', url: 'not a url' },
        { title: '', url: 'http://example.gov.cn/a' },
      ]),
    ).toEqual([
      { title: '网上申请', url: 'https://gaj.example.gov.cn/jzz' },
      { title: 'http://example.gov.cn/a', url: 'http://example.gov.cn/a' },
    ]);
  });

  it('marks bot answers as rateable, names staff, and leaves the text untouched (the browser shows it as text)', () => {
    const answer = toWidgetMessage(stored({ outcome: 'answered', reply: { text: '<img src=x onerror=alert(1)>', entryId: 'e1' } }));
    expect(answer).toMatchObject({ id: 7, direction: 'out', text: '<img src=x onerror=alert(1)>', rateable: true, time: '2025-01-02T03:04:05.000Z' });
    const staff = toWidgetMessage(stored({ outcome: 'staff', reply: { text: '您好', staffName: '王芳' } }));
    expect(staff).toMatchObject({ staffName: '王芳', text: '您好' });
    expect(staff.rateable).toBeUndefined();
    expect(toWidgetMessage(stored({ direction: 'in', text: '居住证' }))).toEqual({ id: 7, direction: 'in', text: '居住证', time: '2025-01-02T03:04:05.000Z' });
  });
});

describe('web widget input parsing', () => {
  it('accepts a message frame and a feedback frame', () => {
    expect(parseClientFrame('{"type":"message","id":"m-1","text":"居住证"}', 100)).toEqual({ ok: true, value: { type: 'message', id: 'm-1', text: '居住证' } });
    expect(parseClientFrame('{"type":"feedback","messageId":3,"helpful":false}', 100).ok).toBe(true);
  });

  it.each([
    ['not JSON', '{"type":', 'not valid JSON'],
    ['an unknown type', '{"type":"hack"}', 'type'],
    ['empty text', '{"type":"message","id":"m","text":"  "}', 'empty'],
    ['oversized text', JSON.stringify({ type: 'message', id: 'm', text: 'x'.repeat(101) }), 'at most 100'],
    ['a bad message id', '{"type":"message","id":"<x>","text":"hi"}', 'id'],
    ['an extra field', '{"type":"message","id":"m","text":"hi","admin":true}', 'admin'],
  ])('rejects %s with a clear message', (_name, raw, message) => {
    const parsed = parseClientFrame(raw, 100);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it('validates HTTP bodies and after= values', () => {
    expect(parseMessageBody({ conversationId: 'short', text: 'hi' }, 100)).toMatchObject({ ok: false, message: expect.stringContaining('conversationId') });
    expect(parseMessageBody(undefined, 100)).toMatchObject({ ok: false });
    expect(parseAfter('12')).toEqual({ ok: true, value: 12 });
    expect(parseAfter(undefined)).toEqual({ ok: true, value: 0 });
    expect(parseAfter('-1').ok).toBe(false);
  });

  it('gives the core a web: conversation id, the widget id for deduplication and the portal as address', () => {
    const message = toIncomingMessage('abcdefghijklmnop', '你好', 'm-1', 'https://portal.example.gov.cn', new Date(0));
    expect(message).toMatchObject({ channel: 'web', conversationId: 'web:abcdefghijklmnop', platformMessageId: 'm-1' });
    expect(message.address).toEqual({ widget: true, origin: 'https://portal.example.gov.cn' });
  });

  it('allows listed origins and the server itself, refuses others', () => {
    const allowed = ['https://portal.example.gov.cn'];
    expect(isOriginAllowed('https://portal.example.gov.cn', allowed, 'bot.example.gov.cn')).toBe(true);
    expect(isOriginAllowed('https://bot.example.gov.cn', allowed, 'bot.example.gov.cn')).toBe(true);
    expect(isOriginAllowed('https://evil.example.com', allowed, 'bot.example.gov.cn')).toBe(false);
    expect(isOriginAllowed('null', allowed, 'bot.example.gov.cn')).toBe(false);
    expect(isOriginAllowed('https://evil.example.com', ['*'], 'bot.example.gov.cn')).toBe(true);
  });
});
