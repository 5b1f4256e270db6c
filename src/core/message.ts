/** The channel-neutral message model: every adapter translates to and from these types. */

export type Lang = 'zh' | 'en';

/** What the engine did with a message. `staff`: a human holds the conversation and the bot is silent. */
export type Outcome = 'answered' | 'clarify' | 'unanswered' | 'escalated' | 'staff' | 'smalltalk';

export interface IncomingMessage {
  channel: string;
  conversationId: string;
  senderId: string;
  text: string;
  /** Language the citizen chose; detected from the text when absent. */
  lang?: Lang;
  time: Date;
  /** The platform's own id for deduplication (Telegram update_id, WeChat MsgId, activity id). */
  platformMessageId?: string;
  /** How the channel can reach this conversation again later (kept for staff replies and late answers). */
  address?: Record<string, unknown>;
  /**
   * The client's network address (HTTP API, web widget), in memory only: the demand log keeps a keyed hash of it
   * to count people rather than messages, and nothing stores the address itself.
   */
  clientAddress?: string;
}

/** A numbered choice; `value` is what the citizen's pick sends back as text. */
export interface Choice {
  label: string;
  value: string;
}

export interface Link {
  title: string;
  url: string;
}

export interface Reply {
  text: string;
  choices?: Choice[];
  links?: Link[];
  /** The knowledge-base entry this reply answers with, if any. */
  entryId?: string;
  /** Display name of the staff member who wrote it; absent for the bot's own replies. */
  staffName?: string;
}

/** A scored knowledge-base candidate, as the engine understood the question. */
export interface Candidate {
  entryId: string;
  score: number;
}

export interface EngineResult {
  conversationId: string;
  lang: Lang;
  outcome: Outcome;
  replies: Reply[];
  candidates: Candidate[];
  /** Conversational intent recognised (greeting, human, …), if any. */
  intent?: string;
}
