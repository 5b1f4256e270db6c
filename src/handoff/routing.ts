/** Which department's queue an escalation goes to, from what the bot understood of the question. */
import type { Candidate } from '../core/message.ts';

/** The queue for questions no department clearly owns. */
export const GENERAL_QUEUE = 'general';

/** Least score of the top candidate for its department to be trusted on its own. */
const MIN_TOP_SCORE = 0.3;

/**
 * The department of the best-matching entries: the top candidate's when it is reasonably sure, or the
 * department shared by the top two; the general queue otherwise.
 */
export function routeDepartment(candidates: readonly Candidate[], departmentOf: (entryId: string) => string | undefined): string {
  const [first, second] = candidates;
  if (!first) return GENERAL_QUEUE;
  const top = departmentOf(first.entryId);
  if (!top) return GENERAL_QUEUE;
  if (first.score >= MIN_TOP_SCORE) return top;
  if (second && departmentOf(second.entryId) === top) return top;
  return GENERAL_QUEUE;
}
