/**
 * Handles one inbound message end to end: store it (deduplicated, masked), run the engine, store the
 * replies and the conversation state, and tell listeners about demand signals.
 */
import { EventEmitter } from 'node:events';
import { maskPersonalData } from '../privacy/mask.ts';
import { initialState } from './conversation-state.ts';
import type { DemandSignal, Engine } from './engine.ts';
import type { EngineResult, IncomingMessage } from './message.ts';
import type { DemandRecord, Store } from './ports.ts';

export interface HandledMessage extends EngineResult {
  /** True when the platform delivered this message before; no new answer was produced. */
  duplicate: boolean;
}

export interface MessageServiceEvents {
  demand: [DemandRecord];
  handled: [IncomingMessage, EngineResult];
}

export class MessageService extends EventEmitter<MessageServiceEvents> {
  constructor(
    private readonly store: Store,
    private engine: Engine,
  ) {
    super();
  }

  /** Swaps in an engine trained on a new knowledge base; conversations carry on. */
  setEngine(engine: Engine): void {
    this.engine = engine;
  }

  get currentEngine(): Engine {
    return this.engine;
  }

  async handle(message: IncomingMessage): Promise<HandledMessage> {
    const { address, ...rest } = message;
    const masked = { ...rest, text: maskPersonalData(message.text) };
    const { duplicate } = this.store.transaction(() => {
      const saved = this.store.messages.saveInbound(masked);
      if (address && !saved.duplicate) this.store.addresses.save(message.conversationId, message.channel, address);
      return saved;
    });
    const conversation = this.store.conversations.get(message.conversationId);
    if (duplicate) {
      return { conversationId: message.conversationId, lang: conversation?.state.lang ?? 'zh', outcome: 'answered', replies: [], candidates: [], duplicate: true };
    }
    const { result, state, demand } = await this.engine.respond(message, conversation?.state ?? initialState());
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
    this.emit('handled', masked, result);
    return { ...result, duplicate: false };
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
