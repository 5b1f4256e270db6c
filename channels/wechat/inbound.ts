/** Pure translation of a (decrypted) WeChat callback into what the adapter does with it. */
import type { IncomingMessage } from '../../src/core/message.ts';
import { isBlank } from '../../src/core/plain-text.ts';
import type { WeChatFields } from './wechat-xml.ts';

export const CHANNEL = 'wechat';

/** What one callback asks of the bot. */
export type WeChatInbound =
  /** A question to answer: a text message, a voice message WeChat transcribed, or a menu CLICK's EventKey. */
  | { kind: 'message'; message: IncomingMessage }
  /** Someone followed the account: greet them. `eventId` identifies the event across WeChat's retries. */
  | { kind: 'subscribe'; openId: string; eventId: string }
  /** A message the bot cannot read (image, voice without transcription, location, link…). */
  | { kind: 'unsupported'; openId: string; msgType: string }
  /** An event that needs no reply (unsubscribe, VIEW, LOCATION, template-send reports…). */
  | { kind: 'ignored'; openId: string };

export function conversationIdFor(openId: string): string {
  return `${CHANNEL}:${openId}`;
}

/** The callback's meaning, or null when it lacks the sender or the message type. */
export function toInbound(fields: WeChatFields, now: Date = new Date()): WeChatInbound | null {
  const openId = fields.FromUserName?.trim();
  const msgType = fields.MsgType?.trim().toLowerCase();
  if (!openId || !msgType) return null;
  const createTime = fields.CreateTime?.trim() ?? '';
  const seconds = /^\d{1,12}$/.test(createTime) ? Number(createTime) : NaN;
  const time = Number.isFinite(seconds) ? new Date(seconds * 1000) : now;
  const eventId = `${openId}:${createTime || now.getTime()}`;
  const question = (text: string, platformMessageId: string): WeChatInbound => ({
    kind: 'message',
    message: {
      channel: CHANNEL,
      conversationId: conversationIdFor(openId),
      senderId: openId,
      text,
      time,
      platformMessageId,
      address: { openId },
    },
  });

  if (msgType === 'text') {
    const content = fields.Content ?? '';
    return isBlank(content) ? { kind: 'ignored', openId } : question(content, fields.MsgId?.trim() || eventId);
  }
  if (msgType === 'voice' && fields.Recognition?.trim()) return question(fields.Recognition.trim(), fields.MsgId?.trim() || eventId);
  if (msgType !== 'event') return { kind: 'unsupported', openId, msgType };

  const event = fields.Event?.trim().toLowerCase();
  if (event === 'subscribe') return { kind: 'subscribe', openId, eventId };
  const key = fields.EventKey?.trim();
  if (event === 'click' && key) return question(key, `event:${eventId}`);
  return { kind: 'ignored', openId };
}
