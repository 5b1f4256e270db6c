/** The bot's turn: one inbound activity in, the core's answer out through the turn context. */
import type { TurnContext } from 'botbuilder';
import type { MessageService } from '../../src/core/message-service.ts';
import type { Logger } from '../../src/logger.ts';
import { overConversationLimit, type CitizenRateLimits } from '../../src/ops/rate-limits.ts';
import { activityToMessage, addsTheBot } from './inbound.ts';
import { renderReplies, welcomeActivity } from './render.ts';

export interface TurnDeps {
  service: Pick<MessageService, 'handle'>;
  logger: Logger;
  limits?: CitizenRateLimits;
}

/**
 * Turn logic for a CloudAdapter (or botbuilder's TestAdapter). Messages go through the message service
 * (stored and deduplicated before the answer); the bot joining a conversation gets a welcome; any other
 * activity is acknowledged and ignored. A failed send is logged, not thrown: the message is stored and a
 * platform retry would be deduplicated anyway.
 */
export function createTurnLogic(deps: TurnDeps): (context: TurnContext) => Promise<void> {
  return async (context) => {
    const { activity } = context;
    if (addsTheBot(activity)) {
      await sendSafely(context, [welcomeActivity(activity.locale)], deps.logger);
      return;
    }
    const message = activityToMessage(activity);
    if (!message) return;
    if (await overConversationLimit(deps, message.conversationId, (text) => sendSafely(context, [{ type: 'message', text }], deps.logger))) return;
    const handled = await deps.service.handle(message);
    if (handled.duplicate) return;
    const activities = renderReplies(handled.replies);
    if (activities.length > 0) await sendSafely(context, activities, deps.logger);
  };
}

async function sendSafely(context: TurnContext, activities: Parameters<TurnContext['sendActivities']>[0], logger: Logger): Promise<void> {
  try {
    await context.sendActivities(activities);
  } catch (err) {
    const status = (err as { statusCode?: unknown }).statusCode;
    logger.warn({ err: (err as Error).message, status, conversation: context.activity.conversation?.id }, 'Bot Framework connector refused a reply');
  }
}
