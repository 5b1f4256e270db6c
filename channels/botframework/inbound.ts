/** Pure translation of inbound Bot Framework activities into core messages. */
import { ActivityTypes, TurnContext, type Activity } from 'botbuilder';
import { z } from 'zod';
import type { IncomingMessage } from '../../src/core/message.ts';

export const CHANNEL = 'botframework';

/** The fields Huiying relies on; everything else of the activity passes through untouched. */
const activityShape = z.looseObject({
  type: z.string().min(1),
  id: z.string().optional(),
  channelId: z.string().min(1),
  serviceUrl: z.url({ protocol: /^https?$/ }),
  conversation: z.looseObject({ id: z.string().min(1) }),
  from: z.looseObject({ id: z.string() }).optional(),
  recipient: z.looseObject({ id: z.string() }).optional(),
  text: z.string().optional(),
});

/** The activity in a request body, or the reason it is not one (for a 400 answer). */
export function parseActivity(body: unknown): { activity: Activity } | { error: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { error: 'body must be a JSON Bot Framework activity' };
  const result = activityShape.safeParse(body);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((i) => i.path.join('.') || 'body'))];
    return { error: `not a Bot Framework activity: missing or invalid ${fields.join(', ')}` };
  }
  return { activity: body as Activity };
}

export function conversationIdOf(activity: Pick<Activity, 'conversation'>): string {
  return `${CHANNEL}:${activity.conversation.id}`;
}

/**
 * The citizen's message in a message activity, or null for any other activity. The bot's own @mention
 * (Teams group chats and channels) is removed from the text.
 */
export function activityToMessage(activity: Activity, now: Date = new Date()): IncomingMessage | null {
  if (activity.type !== ActivityTypes.Message) return null;
  const timestamp = activity.timestamp ? new Date(activity.timestamp) : undefined;
  return {
    channel: CHANNEL,
    conversationId: conversationIdOf(activity),
    senderId: activity.from?.id ?? '',
    text: withoutBotMention(activity).trim(),
    time: timestamp && !Number.isNaN(timestamp.getTime()) ? timestamp : now,
    // Teams activity ids are millisecond timestamps, unique only within one conversation.
    platformMessageId: activity.id ? `${activity.conversation.id}/${activity.id}` : undefined,
    address: JSON.parse(JSON.stringify(TurnContext.getConversationReference(activity))) as Record<string, unknown>,
  };
}

/** True for a conversationUpdate that adds the bot itself (the conversation has just begun for it). */
export function addsTheBot(activity: Activity): boolean {
  if (activity.type !== ActivityTypes.ConversationUpdate || !activity.recipient) return false;
  return (activity.membersAdded ?? []).some((m) => m.id === activity.recipient.id);
}

function withoutBotMention(activity: Activity): string {
  let text = activity.text ?? '';
  for (const entity of activity.entities ?? []) {
    const mentioned = (entity as { mentioned?: { id?: string } }).mentioned;
    const mentionText = (entity as { text?: unknown }).text;
    if (entity.type === 'mention' && mentioned?.id === activity.recipient?.id && typeof mentionText === 'string') {
      text = text.split(mentionText).join('');
    }
  }
  return text;
}
