/** The widget's wire format: frames over the WebSocket and the JSON bodies of the HTTP fallback. */
import type { Choice, Lang, Link, Outcome } from '../../src/core/message.ts';

/** One transcript message as the widget shows it; `id` orders messages and is what `after=` refers to. */
export interface WidgetMessage {
  id: number;
  direction: 'in' | 'out';
  text: string;
  outcome?: Outcome;
  choices?: Choice[];
  links?: Link[];
  /** The staff member who wrote it; absent for the bot and the citizen. */
  staffName?: string;
  /** A bot answer the citizen may rate with thumbs up or down. */
  rateable?: boolean;
  time: string;
}

/**
 * What the widget sends over the socket. `id` is the widget's own message id (deduplicates resends); `lang` is
 * the widget's language (the page's, data-lang, or the citizen's switch), which the answer keeps.
 */
export type ClientFrame = { type: 'message'; id: string; text: string; lang?: Lang } | { type: 'feedback'; messageId: number; helpful: boolean };

export type ErrorCode = 'bad_request' | 'rate_limited' | 'internal';

/** What the server sends over the socket. */
export type ServerFrame =
  /** On connect: the transcript after the `after` id the widget gave (all of it on first load). */
  | { type: 'history'; conversationId: string; messages: WidgetMessage[] }
  /** New bot or staff messages, live. */
  | { type: 'messages'; messages: WidgetMessage[] }
  /** The message `id` was handled (its replies, if any, came just before). */
  | { type: 'ack'; id: string; duplicate: boolean }
  | { type: 'feedback'; messageId: number; recorded: boolean }
  | { type: 'error'; error: ErrorCode; message: string; id?: string };

/** Where the widget connects, relative to the server's origin. */
export const SOCKET_PATH = '/channels/web/ws';
