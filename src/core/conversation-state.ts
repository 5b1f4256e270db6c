/** What the engine remembers about a conversation between messages. */
import type { Lang } from './message.ts';

export interface ConversationState {
  lang?: Lang;
  /** The entry last answered, for follow-ups such as "需要什么材料?". */
  lastEntryId?: string;
  /** Entries offered in the last clarification, in the order shown. */
  pendingChoices?: string[];
  /** The last question the bot could not answer, for the demand log when the citizen then asks for a person. */
  lastUnanswered?: string;
  /** Unanswered questions in a row. */
  misses: number;
  /** The closed case whose 好差评 rating the bot just asked for. */
  ratingFor?: number;
}

export const initialState = (): ConversationState => ({ misses: 0 });
