import { describe, expect, it } from 'vitest';
import { toInbound } from '../../channels/wechat/inbound.ts';
import { MAX_TEXT_BYTES, renderTexts, splitUtf8 } from '../../channels/wechat/render.ts';
import { cdata, parseWeChatXml, textReplyXml, XmlError } from '../../channels/wechat/wechat-xml.ts';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('wechat rendering', () => {
  it('sends the text with its numbered choices and links as "title: url" lines', () => {
    const texts = renderTexts([
      {
        text: '您是想问：\n1. 驾驶证换证\n2. 驾驶证补领',
        choices: [
          { label: '驾驶证换证', value: '1' },
          { label: '驾驶证补领', value: '2' },
        ],
        links: [{ title: '交管12123', url: 'https://gab.122.gov.cn' }],
      },
    ]);
    expect(texts).toEqual(['您是想问：\n1. 驾驶证换证\n2. 驾驶证补领\n交管12123: https://gab.122.gov.cn']);
  });

  it('joins several replies into one message, as a passive reply is a single message', () => {
    expect(renderTexts([{ text: '第一段' }, { text: '第二段' }])).toEqual(['第一段\n\n第二段']);
    expect(renderTexts([{ text: ' ' }])).toEqual([]);
  });

  it('names the staff member who wrote a reply', () => {
    expect(renderTexts([{ text: '您的材料已审核通过。', staffName: '王老师' }])).toEqual(['王老师：您的材料已审核通过。']);
  });

  it('splits long answers into pieces under the byte limit, at line breaks, losing nothing', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `第${i + 1}条：请携带身份证原件及复印件到政务服务中心窗口办理相关手续。`);
    const text = lines.join('\n');
    const pieces = renderTexts([{ text }]);
    expect(bytes(text)).toBeGreaterThan(2 * MAX_TEXT_BYTES);
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    for (const piece of pieces) {
      expect(bytes(piece)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
      expect(piece.endsWith('。')).toBe(true);
    }
    expect(pieces.join('\n')).toBe(text);
  });

  it('never cuts a character in half, even without line breaks', () => {
    const text = '😀办'.repeat(500);
    const pieces = splitUtf8(text, 100);
    for (const piece of pieces) expect(bytes(piece)).toBeLessThanOrEqual(100);
    expect(pieces.join('')).toBe(text);
  });
});

describe('wechat XML', () => {
  it('escapes "]]>" inside CDATA so the text survives unchanged', () => {
    const tricky = 'a]]>b<xml></xml>]]]>';
    expect(cdata(tricky)).toBe('<![CDATA[a]]]]><![CDATA[>b<xml></xml>]]]]]><![CDATA[>]]>');
    const reply = parseWeChatXml(textReplyXml('o-user', 'gh_account', tricky, 1700000000));
    expect(reply).toEqual({ ToUserName: 'o-user', FromUserName: 'gh_account', CreateTime: '1700000000', MsgType: 'text', Content: tricky });
  });

  it('keeps a 64-bit MsgId exact (as a string)', () => {
    const fields = parseWeChatXml('<xml><MsgId>9223372036854775807</MsgId><CreateTime>1700000000</CreateTime></xml>');
    expect(fields.MsgId).toBe('9223372036854775807');
    expect(fields.CreateTime).toBe('1700000000');
  });

  it('refuses what is not WeChat XML, and DOCTYPE entity tricks', () => {
    expect(() => parseWeChatXml('hello')).toThrow(XmlError);
    expect(() => parseWeChatXml('<other>1</other>')).toThrow(XmlError);
    expect(() => parseWeChatXml('<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>')).toThrow(XmlError);
  });
});

describe('wechat inbound translation', () => {
  const base = { ToUserName: 'gh_account', FromUserName: 'o-citizen', CreateTime: '1700000000' };

  it('turns a text message into a core message with the MsgId, conversation and address', () => {
    const inbound = toInbound({ ...base, MsgType: 'text', Content: '居住证怎么办理', MsgId: '6054768590064713728' });
    expect(inbound).toEqual({
      kind: 'message',
      message: {
        channel: 'wechat',
        conversationId: 'wechat:o-citizen',
        senderId: 'o-citizen',
        text: '居住证怎么办理',
        time: new Date(1700000000 * 1000),
        platformMessageId: '6054768590064713728',
        address: { openId: 'o-citizen' },
      },
    });
  });

  it('treats a menu CLICK as the question in its EventKey, deduplicated by sender and time', () => {
    const inbound = toInbound({ ...base, MsgType: 'event', Event: 'CLICK', EventKey: '社保卡怎么办理' });
    expect(inbound).toMatchObject({ kind: 'message', message: { text: '社保卡怎么办理', platformMessageId: 'event:o-citizen:1700000000' } });
  });

  it('greets followers, reads transcribed voice, and declines other media', () => {
    expect(toInbound({ ...base, MsgType: 'event', Event: 'subscribe', EventKey: 'qrscene_1' })).toEqual({ kind: 'subscribe', openId: 'o-citizen', eventId: 'o-citizen:1700000000' });
    expect(toInbound({ ...base, MsgType: 'voice', MediaId: 'm', Recognition: '护照怎么换发', MsgId: '7' })).toMatchObject({ kind: 'message', message: { text: '护照怎么换发' } });
    expect(toInbound({ ...base, MsgType: 'voice', MediaId: 'm', MsgId: '8' })).toEqual({ kind: 'unsupported', openId: 'o-citizen', msgType: 'voice' });
    expect(toInbound({ ...base, MsgType: 'image', PicUrl: 'http://x', MsgId: '9' })).toEqual({ kind: 'unsupported', openId: 'o-citizen', msgType: 'image' });
  });

  it('ignores events that need no answer, and rejects payloads without a sender or type', () => {
    expect(toInbound({ ...base, MsgType: 'event', Event: 'unsubscribe' })).toEqual({ kind: 'ignored', openId: 'o-citizen' });
    expect(toInbound({ ...base, MsgType: 'event', Event: 'VIEW', EventKey: 'https://example.gov.cn' })).toEqual({ kind: 'ignored', openId: 'o-citizen' });
    expect(toInbound({ ...base, MsgType: 'event', Event: 'CLICK', EventKey: ' ' })).toEqual({ kind: 'ignored', openId: 'o-citizen' });
    expect(toInbound({ MsgType: 'text', Content: 'x' })).toBeNull();
    expect(toInbound({ FromUserName: 'o-citizen' })).toBeNull();
  });
});
