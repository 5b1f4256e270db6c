/** Core replies as Wechaty text messages: plain text only, long texts split at line breaks. */
import type { Reply } from '../../src/core/message.ts';
import { replyAsPlainText, splitText } from '../../src/core/plain-text.ts';

/**
 * Longest text sent as one WeChat message. WeChat takes longer texts, but a reply longer than a phone
 * screen or two reads better as several messages.
 */
export const WECHATY_MAX_TEXT = 1500;

/** What a citizen who sends a picture, voice note, file or sticker in a direct chat is told. */
export const TEXT_ONLY_NOTICE = '抱歉，我目前只能读懂文字消息，请用文字描述您的问题。\n(Sorry, I can only read text messages; please type your question.)';

/** The texts to say, in order; choices are already the numbered list in each reply's text. */
export function renderWechaty(replies: readonly Reply[], maxLength = WECHATY_MAX_TEXT): string[] {
  return replies.flatMap((reply) => {
    const text = replyAsPlainText(reply);
    return text.trim() ? splitText(text, maxLength) : [];
  });
}
