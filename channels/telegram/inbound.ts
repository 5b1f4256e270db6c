/** Translates Telegram updates into core messages; pure, no I/O. */
import { z } from 'zod';
import type { Update } from 'telegraf/types';
import type { IncomingMessage } from '../../src/core/message.ts';

export const CHANNEL = 'telegram';

/** How the adapter reaches a conversation again later; stored by the MessageService. */
export interface TelegramAddress {
  chatId: number;
}

const chat = z.looseObject({ id: z.number().int() });
const user = z.looseObject({ id: z.number().int() });
const message = z.looseObject({ message_id: z.number().int(), date: z.number(), chat, from: user.optional(), text: z.string().optional() });

/** The parts of an update this channel reads; anything else in it is passed along untouched. */
const updateSchema = z.looseObject({
  update_id: z.number().int().nonnegative(),
  message: message.optional(),
  callback_query: z
    .looseObject({ id: z.string(), from: user, message: z.looseObject({ chat }).optional(), data: z.string().optional() })
    .optional(),
});

/** The body as a Telegram update, or null when it is not one (the webhook answers 400). */
export function parseUpdate(body: unknown): Update | null {
  return updateSchema.safeParse(body).success ? (body as Update) : null;
}

export function conversationIdFor(chatId: number | string): string {
  return `${CHANNEL}:${chatId}`;
}

/**
 * The citizen's text message, or the value of a tapped inline button read as the citizen's text.
 * Null for every other update (stickers, edits, joins), which the channel ignores.
 */
export function toIncomingMessage(update: Update, now: Date): (IncomingMessage & { address: TelegramAddress }) | null {
  const base = { channel: CHANNEL, platformMessageId: String(update.update_id) };
  if ('message' in update && 'text' in update.message) {
    const { chat, from, text, date } = update.message;
    return {
      ...base,
      conversationId: conversationIdFor(chat.id),
      senderId: String(from?.id ?? chat.id),
      text,
      time: new Date(date * 1000),
      address: { chatId: chat.id },
    };
  }
  if ('callback_query' in update && 'data' in update.callback_query) {
    const { from, message, data } = update.callback_query;
    // A button under an inline-mode message has no chat; its private chat id is the user's id.
    const chatId = message?.chat.id ?? from.id;
    return {
      ...base,
      conversationId: conversationIdFor(chatId),
      senderId: String(from.id),
      text: data,
      time: now,
      address: { chatId },
    };
  }
  return null;
}
