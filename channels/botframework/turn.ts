/** The bot's turn: one inbound activity in, the core's answer out through the outbox and the turn context. */
import type { TurnContext } from 'botbuilder';
import type { DeliveryResult } from '../../src/core/delivery.ts';
import type { Reply } from '../../src/core/message.ts';
import type { MessageService } from '../../src/core/message-service.ts';
import type { Logger } from '../../src/logger.ts';
import { overConversationLimit, type CitizenRateLimits } from '../../src/ops/rate-limits.ts';
import { activityToMessage, addsTheBot } from './inbound.ts';
import { renderReplies, welcomeActivity } from './render.ts';
import { undeliverable } from './undeliverable.ts';

export interface TurnDeps {
  service: Pick<MessageService, 'handle'>;
  logger: Logger;
  limits?: CitizenRateLimits;
}

/**
 * Turn logic for a CloudAdapter (or botbuilder's TestAdapter). Messages go through the message service
 * (stored and deduplicated before the answer); the answer is written to the outbox with the message and then
 * sent in the turn, so a crash in between re-sends it at the next start (proactively, through the stored
 * conversation reference), and a platform retry of the same activity is not answered again. The bot joining
 * a conversation gets a welcome; any other activity is acknowledged and ignored. A failed send is logged and
 * marked undeliverable in the outbox, not thrown: the message is stored and a retry would be deduplicated.
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
    const send = async (replies: readonly Reply[]): Promise<DeliveryResult> => {
      const activities = renderReplies(replies);
      if (activities.length === 0) return { status: 'sent' };
      try {
        await context.sendActivities(activities);
        return { status: 'sent' };
      } catch (err) {
        logRefusal(context, err, deps.logger);
        return undeliverable(err);
      }
    };
    await deps.service.handle(message, { send });
  };
}

async function sendSafely(context: TurnContext, activities: Parameters<TurnContext['sendActivities']>[0], logger: Logger): Promise<void> {
  try {
    await context.sendActivities(activities);
  } catch (err) {
    logRefusal(context, err, logger);
  }
}

function logRefusal(context: TurnContext, err: unknown, logger: Logger): void {
  const status = (err as { statusCode?: unknown }).statusCode;
  logger.warn({ err: (err as Error).message, status, conversation: context.activity.conversation?.id }, 'Bot Framework connector refused a reply');
}
