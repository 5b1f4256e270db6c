/** Reading WeChat callback XML and writing passive-reply XML. */
import { XMLParser } from 'fast-xml-parser';

/** The flat fields of one callback `<xml>` element; only string-valued fields are kept. */
export type WeChatFields = Record<string, string>;

export class XmlError extends Error {
  override name = 'XmlError';
}

// parseTagValue false keeps the 64-bit MsgId (and every other value) a string.
const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, processEntities: true, htmlEntities: false });

/**
 * The fields of `<xml>…</xml>`; throws XmlError for anything else. WeChat never sends a DOCTYPE, so one is
 * refused (no entity can be declared, let alone expanded); a citizen's text in CDATA may still say "<!DOCTYPE".
 */
export function parseWeChatXml(body: string): WeChatFields {
  if (/<!DOCTYPE|<!ENTITY/i.test(body.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''))) throw new XmlError('DOCTYPE is not allowed');
  let doc: unknown;
  try {
    doc = parser.parse(body);
  } catch (err) {
    throw new XmlError(`not XML: ${(err as Error).message}`);
  }
  const root = (doc as { xml?: unknown } | null)?.xml;
  if (!root || typeof root !== 'object' || Array.isArray(root)) throw new XmlError('no <xml> element');
  const fields: WeChatFields = {};
  for (const [name, value] of Object.entries(root)) if (typeof value === 'string') fields[name] = value;
  return fields;
}

/** A CDATA section holding `text` verbatim; "]]>" inside is split across two sections. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** The passive text reply to `toUser` (the citizen's OpenID) from `fromUser` (the account's id). */
export function textReplyXml(toUser: string, fromUser: string, content: string, createTime: number): string {
  return (
    `<xml><ToUserName>${cdata(toUser)}</ToUserName><FromUserName>${cdata(fromUser)}</FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content></xml>`
  );
}

/** The safe-mode envelope around an encrypted reply. */
export function encryptedReplyXml(encrypt: string, msgSignature: string, timestamp: string, nonce: string): string {
  return (
    `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(msgSignature)}</MsgSignature>` +
    `<TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`
  );
}
