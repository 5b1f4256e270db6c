/** Pure rendering of core replies into WeChat text messages: plain text, links as "title: url", under the byte limit. */
import type { Reply } from '../../src/core/message.ts';
import { replyAsPlainText } from '../../src/core/plain-text.ts';

/** WeChat caps a text message at 2048 bytes of UTF-8; keep a margin. */
export const MAX_TEXT_BYTES = 2000;

export const DEFAULT_WELCOME =
  '您好，欢迎关注！我是政务服务智能助手，可以解答办事指南类问题，例如：\n' +
  '· 居住证怎么办理\n· 社保卡怎么办理\n· 护照怎么换发\n' +
  '请直接用文字提问；没能答上来时，发送“转人工”联系工作人员。\n' +
  'You can also ask in English.';

export const UNSUPPORTED_TEXT = '抱歉，我目前只能理解文字消息。请用文字描述您的问题，例如“居住证怎么办理”。';

/**
 * The WeChat messages for a turn's replies: their plain-text forms (a staff member's name first, where
 * there is one) joined by a blank line, then split
 * into pieces of at most `maxBytes` UTF-8 bytes. The first piece can go as the passive reply; the rest
 * need the customer-service API.
 */
export function renderTexts(replies: readonly Reply[], maxBytes = MAX_TEXT_BYTES): string[] {
  const text = replies
    .map((reply) => {
      const text = replyAsPlainText(reply);
      return reply.staffName && text.trim() ? `${reply.staffName}：${text}` : text;
    })
    .filter((t) => t.trim())
    .join('\n\n');
  return text ? splitUtf8(text, maxBytes) : [];
}

/** Splits text into pieces of at most `maxBytes` UTF-8 bytes, at a line break in the piece's second half where there is one. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const parts: string[] = [];
  let chars = Array.from(text);
  while (chars.length > 0) {
    let bytes = 0;
    let end = 0;
    while (end < chars.length) {
      const size = Buffer.byteLength(chars[end]!, 'utf8');
      if (bytes + size > maxBytes) break;
      bytes += size;
      end++;
    }
    if (end === chars.length) {
      parts.push(chars.join(''));
      break;
    }
    const newline = chars.lastIndexOf('\n', end - 1);
    const cut = newline > end / 2 ? newline + 1 : Math.max(end, 1);
    const piece = chars.slice(0, cut).join('').trimEnd();
    if (piece) parts.push(piece);
    chars = chars.slice(cut);
  }
  return parts;
}
