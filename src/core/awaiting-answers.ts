/**
 * After a crash: answers the messages a channel acknowledged before their answer was stored (WeChat says
 * "success" within its 5 seconds and answers later), through the channel each came from. A message
 * acknowledged longer ago than its channel's reply window, or a day, is not answered any more: it stays in
 * the transcript.
 */
import type { MessageService } from './message-service.ts';
import type { OutboundRouter } from './outbound-router.ts';
import type { AwaitingMessage, CoreStore } from './ports.ts';

/** A question is answered late only within this many hours (less where the channel's reply window is shorter). */
export const ANSWER_LATE_WITHIN_HOURS = 24;

export interface AwaitingReport {
  /** Answered now (the answer is stored, and sent or marked undeliverable in the outbox). */
  answered: number;
  /** Too old to answer; no longer awaited. */
  tooOld: number;
  /** The turn failed again; still awaited, for the next start. */
  failed: number;
}

export async function answerAwaiting(
  items: readonly AwaitingMessage[],
  deps: { service: MessageService; store: CoreStore; outbound: OutboundRouter; now?: Date },
): Promise<AwaitingReport> {
  const report: AwaitingReport = { answered: 0, tooOld: 0, failed: 0 };
  const now = (deps.now ?? new Date()).getTime();
  for (const item of items) {
    const { conversationId, channel } = item.message;
    const hours = Math.min(ANSWER_LATE_WITHIN_HOURS, deps.outbound.replyWindowHours(channel) ?? ANSWER_LATE_WITHIN_HOURS);
    if (now - item.acknowledgedAt.getTime() > hours * 3_600_000) {
      await deps.store.write(() => deps.store.messages.answered(item.id));
      report.tooOld++;
      continue;
    }
    try {
      await deps.service.resume(item, (replies) => deps.outbound.sendNow(conversationId, channel, replies));
      report.answered++;
    } catch {
      report.failed++;
    }
  }
  return report;
}
