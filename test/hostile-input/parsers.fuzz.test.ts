/**
 * Property-based tests (fast-check, bounded runs so CI stays fast) of the platform parsers: the WeChat
 * callback XML and the Telegram update. They never throw anything but their own clear error, and valid
 * messages come out as they went in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseUpdate, toIncomingMessage } from '../../channels/telegram/inbound.ts';
import { toInbound } from '../../channels/wechat/inbound.ts';
import { cdata, parseWeChatXml, XmlError } from '../../channels/wechat/wechat-xml.ts';

const RUNS = { numRuns: 300, seed: 20261128 };

/** Fragments WeChat XML (and attacks on it) are made of. */
const xmlPiece = fc.oneof(
  fc.constantFrom('<xml>', '</xml>', '<Content>', '</Content>', '<![CDATA[', ']]>', '<!DOCTYPE x [<!ENTITY a "b">]>', '&a;', '&lt;', '&#x0;', '<?xml version="1.0"?>', '<a b="c"/>', '<!-- -->', '<', '>', '&'),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const xmlish = fc.array(xmlPiece, { maxLength: 30 }).map((parts) => parts.join(''));

function parsesOrXmlError(body: string): void {
  try {
    const fields = parseWeChatXml(body);
    expect(Object.values(fields).every((v) => typeof v === 'string')).toBe(true);
    toInbound(fields);
  } catch (err) {
    expect(err).toBeInstanceOf(XmlError);
  }
}

/** Code points XML 1.0 cannot carry at all. */
const NOT_IN_XML = new Set([...Array.from({ length: 32 }, (_, i) => i).filter((i) => i !== 9 && i !== 10 && i !== 13), 0xfffe, 0xffff]);

/** Text a citizen can type: any Unicode except what XML 1.0 cannot carry at all. */
const citizenText = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 200 })
  .map((s) => [...s].filter((c) => !NOT_IN_XML.has(c.codePointAt(0)!)).join('').trim())
  .filter((s) => s.length > 0);

describe('WeChat callback XML parser (fuzzed)', () => {
  it('returns string fields or throws XmlError for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), parsesOrXmlError), RUNS);
  });

  it('returns string fields or throws XmlError for XML-like input and entity tricks', () => {
    fc.assert(fc.property(xmlish, parsesOrXmlError), RUNS);
  });

  it('round-trips a text message: the content comes out as the citizen wrote it', () => {
    fc.assert(
      fc.property(citizenText, fc.stringMatching(/^o[A-Za-z0-9_-]{5,27}$/), fc.bigInt({ min: 1n, max: 2n ** 63n }), (content, openId, msgId) => {
        const xml =
          `<xml><ToUserName>${cdata('gh_0123456789ab')}</ToUserName><FromUserName>${cdata(openId)}</FromUserName>` +
          `<CreateTime>1700000000</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content><MsgId>${msgId}</MsgId></xml>`;
        const inbound = toInbound(parseWeChatXml(xml));
        expect(inbound).toMatchObject({ kind: 'message', message: { text: content, senderId: openId, platformMessageId: String(msgId) } });
      }),
      RUNS,
    );
  });
});

describe('Telegram update parser (fuzzed)', () => {
  it('accepts or refuses anything without throwing, and reads what it accepts', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true, maxDepth: 4 }), (body) => {
        const update = parseUpdate(body);
        if (update) toIncomingMessage(update, new Date());
      }),
      RUNS,
    );
  });

  it('refuses updates whose fields have the wrong types', () => {
    const wrong = fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.double({ noInteger: true }), fc.array(fc.nat()));
    fc.assert(
      fc.property(wrong, (value) => {
        expect(parseUpdate({ update_id: value })).toBeNull();
        expect(parseUpdate({ update_id: 1, message: { message_id: 1, date: 0, chat: { id: value }, text: 'hi' } })).toBeNull();
      }),
      RUNS,
    );
  });

  it('round-trips a text message: chat, sender and text come out as sent', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 4096 }), (updateId, chatId, text) => {
        const update = parseUpdate({ update_id: updateId, message: { message_id: 1, date: 1_700_000_000, chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'x' }, text } });
        expect(update).not.toBeNull();
        expect(toIncomingMessage(update!, new Date())).toMatchObject({ conversationId: `telegram:${chatId}`, senderId: String(chatId), text, platformMessageId: String(updateId) });
      }),
      RUNS,
    );
  });
});
