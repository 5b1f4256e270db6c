/** PURE parsing of what the widget sends (socket frames, HTTP bodies) into core messages; no I/O. */
import { z } from 'zod';
import type { IncomingMessage, Lang } from '../../src/core/message.ts';
import { isBlank } from '../../src/core/plain-text.ts';
import type { ClientFrame } from './protocol.ts';

/** The widget's opaque conversation id, as kept in the visitor's localStorage. */
export const opaqueIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16-64 letters, digits, "-" or "_"');

const messageIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"');
const transcriptIdSchema = z.number().int().min(0);
const langSchema = z.enum(['zh', 'en'], { error: 'lang must be "zh" or "en"' });

function textSchema(maxLength: number) {
  return z
    .string({ error: 'text is required and must be a string' })
    .max(maxLength, `text must be at most ${maxLength} characters`)
    .refine((t) => !isBlank(t), 'text must not be empty');
}

/** Builds a schema once per maximum length (building one costs more than parsing with it). */
function perMaxLength<S>(build: (maxLength: number) => S): (maxLength: number) => S {
  const built = new Map<number, S>();
  return (maxLength) => {
    let schema = built.get(maxLength);
    if (!schema) built.set(maxLength, (schema = build(maxLength)));
    return schema;
  };
}

const frameSchema = perMaxLength((maxLength) =>
  z.discriminatedUnion(
    'type',
    [
      z.object({ type: z.literal('message'), id: messageIdSchema, text: textSchema(maxLength), lang: langSchema.optional() }).strict(),
      z.object({ type: z.literal('feedback'), messageId: transcriptIdSchema, helpful: z.boolean() }).strict(),
    ],
    { error: 'type must be "message" or "feedback"' },
  ),
);

const messageBodySchema = perMaxLength((maxLength) =>
  z
    .object({ conversationId: opaqueIdSchema, text: textSchema(maxLength), id: messageIdSchema.optional(), after: transcriptIdSchema.optional(), lang: langSchema.optional() })
    .strict(),
);

const feedbackBodySchema = z.object({ conversationId: opaqueIdSchema, messageId: transcriptIdSchema, helpful: z.boolean() }).strict();

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function parsed<T>(result: z.ZodSafeParseResult<T>): Parsed<T> {
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  return { ok: false, message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` };
}

/** The core's conversation id for a widget conversation. */
export function conversationIdFor(opaqueId: string): string {
  return `web:${opaqueId}`;
}

/** A socket frame from the widget, or why it is not one. */
export function parseClientFrame(raw: string, maxLength: number): Parsed<ClientFrame> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'frame is not valid JSON' };
  }
  return parsed(frameSchema(maxLength).safeParse(data));
}

export interface MessageBody {
  conversationId: string;
  text: string;
  id?: string;
  /** The last transcript id the widget has; the response holds everything newer. */
  after?: number;
  /** The widget's language: the answer is in it, whatever script the text is in. */
  lang?: Lang;
}

/** The body of `POST /channels/web/messages`. */
export function parseMessageBody(body: unknown, maxLength: number): Parsed<MessageBody> {
  return parsed(messageBodySchema(maxLength).safeParse(body ?? {}));
}

export interface FeedbackBody {
  conversationId: string;
  messageId: number;
  helpful: boolean;
}

/** The body of `POST /channels/web/feedback`. */
export function parseFeedbackBody(body: unknown): Parsed<FeedbackBody> {
  return parsed(feedbackBodySchema.safeParse(body ?? {}));
}

/** `?after=<id>`: a non-negative integer, 0 when absent. */
export function parseAfter(value: unknown): Parsed<number> {
  if (value === undefined || value === null || value === '') return { ok: true, value: 0 };
  return /^\d{1,15}$/.test(String(value)) ? { ok: true, value: Number(value) } : { ok: false, message: 'after: must be a message id (a non-negative integer)' };
}

/**
 * A citizen's text from the widget as the core's message; `origin` (the embedding portal) is kept as the address.
 * `lang`, the widget's language, keeps the answer and its buttons in it (a Latin-script message in the Chinese
 * widget is answered in Chinese) until the citizen switches the widget.
 */
export function toIncomingMessage(
  opaqueId: string,
  text: string,
  messageId: string | undefined,
  origin: string | undefined,
  time: Date,
  lang?: Lang,
): IncomingMessage {
  const conversationId = conversationIdFor(opaqueId);
  return {
    channel: 'web',
    conversationId,
    senderId: conversationId,
    text,
    ...(lang ? { lang } : {}),
    time,
    platformMessageId: messageId,
    address: { widget: true, ...(origin ? { origin } : {}) },
  };
}
