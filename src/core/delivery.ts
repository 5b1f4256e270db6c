/** Sending replies to a conversation after the fact (staff replies, late answers) on the channel it came from. */
import type { Reply } from './message.ts';

/** Why a platform would not take a message; staff see this instead of a silent failure. */
export type UndeliverableReason =
  /** The platform only allows replies for a while after the citizen's last message (WeChat: 48 hours). */
  | 'window_closed'
  /** The citizen blocked the bot or left the chat. */
  | 'blocked'
  /** No address is known for the conversation, or its channel is not running. */
  | 'no_route'
  /** The platform or the network failed. */
  | 'failed';

export type DeliveryResult = { status: 'sent' } | { status: 'undeliverable'; reason: UndeliverableReason; detail?: string };

/** The outbound half of a channel: what the core needs to reach a citizen later. */
export interface ReplySender {
  readonly name: string;
  /** Hours after the citizen's last message during which the platform takes a message from the bot (WeChat: 48); absent, no limit. */
  readonly replyWindowHours?: number;
  /** Sends replies to a conversation of this channel; never throws, reports failure in the result. */
  send(conversationId: string, replies: readonly Reply[]): Promise<DeliveryResult>;
}
