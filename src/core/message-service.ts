/**
 * Handles one inbound message end to end: store it (deduplicated, masked), run the engine, store the
 * replies and the conversation state, and tell listeners about demand signals.
 */
import { EventEmitter } from 'node:events';
import { maskPersonalData } from '../privacy/mask.ts';
import type { TextSealer } from '../privacy/sealed-text.ts';
import { initialState } from './conversation-state.ts';
import type { DemandSignal, Engine, EngineTurn } from './engine.ts';
import type { EngineResult, IncomingMessage } from './message.ts';
import type { ConversationRecord, DemandRecord, Store } from './ports.ts';

/** Lets the human side take a conversation over before the bot answers, and act on the bot's outcome after. */
export interface ConversationInterceptor {
  /** A turn to use instead of the bot's (staff hold the conversation, a rating), or null to let the bot answer. */
  before(message: IncomingMessage, conversation: ConversationRecord | undefined): EngineTurn | null;
  /** May add replies (a case number) or change the outcome after the bot answered. */
  after(message: IncomingMessage, turn: EngineTurn): EngineTurn;
}

export interface HandledMessage extends EngineResult {
  /** True when the platform delivered this message before; no new answer was produced. */
  duplicate: boolean;
}

export interface MessageServiceEvents {
  demand: [DemandRecord];
  /** A message was answered; `ms` is the time `handle` took (for the latency metric). */
  handled: [IncomingMessage, EngineResult, number];
}

export class MessageService extends EventEmitter<MessageServiceEvents> {
  private interceptor: ConversationInterceptor | null = null;
  private sealer: TextSealer | null = null;

  constructor(
    private readonly store: Store,
    private engine: Engine,
  ) {
    super();
  }

  /** Keeps the original of masked messages sealed, for the staff member who holds the case; without it only the masked text is kept. */
  setSealer(sealer: TextSealer): void {
    this.sealer = sealer;
  }

  /** Installs the human side (escalations); without it the bot alone answers. */
  setInterceptor(interceptor: ConversationInterceptor): void {
    this.interceptor = interceptor;
  }

  /** Swaps in an engine trained on a new knowledge base; conversations carry on. */
  setEngine(engine: Engine): void {
    this.engine = engine;
  }

  get currentEngine(): Engine {
    return this.engine;
  }

  async handle(message: IncomingMessage): Promise<HandledMessage> {
    const started = performance.now();
    const { address, ...rest } = message;
    const masked = { ...rest, text: maskPersonalData(message.text) };
    const { duplicate } = this.store.transaction(() => {
      const sealed = this.sealer && masked.text !== message.text ? this.sealer.seal(message.text) : undefined;
      const saved = this.store.messages.saveInbound(masked, sealed);
      if (address && !saved.duplicate) this.store.addresses.save(message.conversationId, message.channel, address);
      return saved;
    });
    const conversation = this.store.conversations.get(message.conversationId);
    if (duplicate) {
      return { conversationId: message.conversationId, lang: conversation?.state.lang ?? 'zh', outcome: 'answered', replies: [], candidates: [], duplicate: true };
    }
    const taken = this.interceptor?.before(masked, conversation) ?? null;
    const turn = taken ?? (await this.engine.respond(message, conversation?.state ?? initialState()));
    const { result, state, demand } = taken ? turn : (this.interceptor?.after(masked, turn) ?? turn);
    const now = new Date();
    let demandRecord: DemandRecord | undefined;
    this.store.transaction(() => {
      this.store.messages.saveOutbound(message.conversationId, message.channel, result.outcome, result.replies, now);
      this.store.conversations.save({
        id: message.conversationId,
        channel: message.channel,
        senderId: message.senderId,
        state: maskState(state),
        createdAt: conversation?.createdAt ?? message.time,
        updatedAt: now,
      });
      if (demand) demandRecord = this.recordDemand(message, result, demand);
    });
    if (demandRecord) this.emit('demand', demandRecord);
    this.emit('handled', masked, result, performance.now() - started);
    return { ...result, duplicate: false };
  }

  /**
   * A citizen's thumbs up or down on an answer. A thumbs-down is logged as a `not_helpful` demand signal for
   * the question the answer was for (`question`, else the conversation's last inbound message), masked.
   */
  recordFeedback(conversationId: string, feedback: { helpful: boolean; question?: string; entryId?: string }): DemandRecord | null {
    if (feedback.helpful) return null;
    const conversation = this.store.conversations.get(conversationId);
    const question =
      feedback.question ?? this.store.messages.listByConversation(conversationId).findLast((m) => m.direction === 'in')?.text;
    if (!conversation || !question) return null;
    const record = {
      conversationId,
      channel: conversation.channel,
      lang: conversation.state.lang ?? 'zh',
      text: maskPersonalData(question),
      reason: 'not_helpful' as const,
      candidates: feedback.entryId ? [{ entryId: feedback.entryId, score: 1 }] : [],
      createdAt: new Date(),
    };
    const saved = { id: this.store.demand.record(record), ...record };
    this.emit('demand', saved);
    return saved;
  }

  private recordDemand(message: IncomingMessage, result: EngineResult, demand: DemandSignal): DemandRecord {
    const record = {
      conversationId: message.conversationId,
      channel: message.channel,
      lang: result.lang,
      text: maskPersonalData(demand.text),
      reason: demand.reason,
      candidates: demand.candidates,
      createdAt: message.time,
    };
    return { id: this.store.demand.record(record), ...record };
  }
}

function maskState<T extends { lastUnanswered?: string }>(state: T): T {
  return state.lastUnanswered ? { ...state, lastUnanswered: maskPersonalData(state.lastUnanswered) } : state;
}
