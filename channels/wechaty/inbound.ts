/**
 * Turns what the adapter read off one Wechaty message into a core message, a "text only" notice, or
 * nothing. Wechaty hands over live objects with async lookups; the adapter reduces them to these facts.
 */
import type { IncomingMessage } from '../../src/core/message.ts';

export const WECHATY_CHANNEL = 'wechaty';

/** What the adapter needs to reach a conversation again: the room for group chats, else the contact. */
export interface WechatyAddress {
  contactId: string;
  roomId?: string;
}

/** One Wechaty message as plain data. */
export interface WechatyMessageFacts {
  id: string;
  /** Sent by the logged-in account itself (puppets echo the bot's own replies back as messages). */
  self: boolean;
  talkerId?: string;
  roomId?: string;
  /** `media`: a picture, voice note, video, file, sticker, link, card or location a person sent. */
  kind: 'text' | 'media' | 'other';
  /** The text, with @mentions removed in rooms. */
  text: string;
  /** In a room: whether the message @mentions the bot's account. */
  mentionsSelf: boolean;
  time: Date;
}

export type WechatyIgnoreReason = 'self' | 'no_talker' | 'not_mentioned' | 'not_text' | 'empty';

export type InboundDecision =
  | { action: 'handle'; message: IncomingMessage }
  | { action: 'text_only' }
  | { action: 'ignore'; reason: WechatyIgnoreReason };

export function conversationIdFor(address: WechatyAddress): string {
  return `${WECHATY_CHANNEL}:${address.roomId ?? address.contactId}`;
}

export function decideInbound(facts: WechatyMessageFacts): InboundDecision {
  if (facts.self) return { action: 'ignore', reason: 'self' };
  if (!facts.talkerId) return { action: 'ignore', reason: 'no_talker' };
  if (facts.roomId && !facts.mentionsSelf) return { action: 'ignore', reason: 'not_mentioned' };
  if (facts.kind !== 'text') {
    return facts.kind === 'media' && !facts.roomId ? { action: 'text_only' } : { action: 'ignore', reason: 'not_text' };
  }
  const text = facts.text.trim();
  if (!text) return { action: 'ignore', reason: 'empty' };
  const address: WechatyAddress = facts.roomId ? { contactId: facts.talkerId, roomId: facts.roomId } : { contactId: facts.talkerId };
  return {
    action: 'handle',
    message: {
      channel: WECHATY_CHANNEL,
      conversationId: conversationIdFor(address),
      senderId: facts.talkerId,
      text,
      time: facts.time,
      platformMessageId: facts.id,
      address: { ...address },
    },
  };
}

/** Reads a stored address back; undefined when it is not one this channel wrote. */
export function parseWechatyAddress(address: Record<string, unknown>): WechatyAddress | undefined {
  const { contactId, roomId } = address;
  if (typeof contactId !== 'string' || !contactId) return undefined;
  if (roomId !== undefined && (typeof roomId !== 'string' || !roomId)) return undefined;
  return roomId ? { contactId, roomId } : { contactId };
}
