/** Core replies as Telegram sendMessage payloads; pure, no I/O. Plain text only (no parse_mode), so no text can break formatting. */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import type { Choice, Link, Reply } from '../../src/core/message.ts';
import { replyAsPlainText, splitText } from '../../src/core/plain-text.ts';

/** Telegram's limit for one message's text. */
export const TELEGRAM_MAX_TEXT = 4096;
/** Telegram's limit for a button's callback_data, in UTF-8 bytes. */
const MAX_CALLBACK_DATA_BYTES = 64;

/** One sendMessage call: the text and, on the last part of a reply, its buttons. */
export interface TelegramMessage {
  text: string;
  reply_markup?: InlineKeyboardMarkup;
}

/**
 * Each reply becomes one message, or several when its text is longer than Telegram allows. Choices are
 * callback buttons (tapping one sends its value back), web links are URL buttons; anything that cannot be
 * a button is a line of text.
 */
export function renderReplies(replies: readonly Reply[]): TelegramMessage[] {
  return replies.flatMap(renderReply);
}

function renderReply(reply: Reply): TelegramMessage[] {
  const choices = reply.choices ?? [];
  const links = reply.links ?? [];
  const choiceButtons = choices.filter(fitsCallbackData);
  const linkButtons = links.filter(isWebLink);
  const textLinks = links.filter((l) => !isWebLink(l));
  const unbuttoned = choices.filter((c) => !fitsCallbackData(c)).map((c) => `${c.label}: ${c.value}`);
  const body = [replyAsPlainText({ ...reply, links: textLinks }), ...unbuttoned].filter((s) => s.trim()).join('\n');
  const text = reply.staffName ? `【${reply.staffName}】${body}` : body;

  const rows: InlineKeyboardButton[][] = [
    ...choiceButtons.map((c) => [{ text: c.label || c.value, callback_data: c.value }]),
    ...linkButtons.map((l) => [{ text: l.title || l.url, url: l.url }]),
  ];
  const parts = splitForTelegram(text);
  if (rows.length === 0) return parts.map((part) => ({ text: part }));
  // Telegram refuses an empty text, so buttons with nothing to say point down at themselves.
  if (parts.length === 0) parts.push('👇');
  return parts.map((part, i) => (i === parts.length - 1 ? { text: part, reply_markup: { inline_keyboard: rows } } : { text: part }));
}

/** Pieces of at most 4096 characters, counted as code points or as UTF-16 units; cut at line breaks where possible. */
export function splitForTelegram(text: string): string[] {
  return splitText(text, TELEGRAM_MAX_TEXT)
    .flatMap((part) => (part.length > TELEGRAM_MAX_TEXT ? splitText(part, TELEGRAM_MAX_TEXT / 2) : [part]))
    .filter((part) => part.trim());
}

function fitsCallbackData(choice: Choice): boolean {
  const bytes = Buffer.byteLength(choice.value, 'utf8');
  return bytes >= 1 && bytes <= MAX_CALLBACK_DATA_BYTES;
}

function isWebLink(link: Link): boolean {
  return /^https?:\/\/[^\s/]+/i.test(link.url) && URL.canParse(link.url);
}
