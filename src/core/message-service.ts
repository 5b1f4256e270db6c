/**
 * Handles one inbound message end to end: run the engine on it, store the message (deduplicated, masked)
 * with its replies and the conversation state as one group-committed unit of work, and tell listeners about
 * demand signals.
 */
import { EventEmitter } from 'node:events';
import { AddressKeys } from '../privacy/address-key.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { neutraliseControls } from './control-characters.ts';
import type { TextSealer } from '../privacy/sealed-text.ts';
import { initialState, type ConversationState } from './conversation-state.ts';
import type { DemandSignal, Engine, EngineTurn, Responder } from './engine.ts';
import type { DeliveryResult } from './delivery.ts';
import type { KnowledgeBase, KnowledgeEntry } from '../knowledge/types.ts';
import type { Candidate, EngineResult, IncomingMessage, Reply } from './message.ts';
import type { AwaitingMessage, ConversationLocks, ConversationRecord, CoreStore, DemandRecord } from './ports.ts';

/** The knowledge base answered from, and how its model was obtained. */
export interface LoadedKnowledge {
  kb: KnowledgeBase;
  modelInfo: Engine['modelInfo'];
}

/** What the service answers with: an engine on this thread, or a responder (engine threads). */
export type AnswerSource = Engine | ThreadedSource;

/** A responder with the knowledge base it answers from, and how to build an engine on this thread should it fail. */
export interface ThreadedSource {
  responder: Responder;
  knowledge: LoadedKnowledge;
  loadEngine: () => Promise<Engine>;
}

/**
 * Lets the human side take a conversation over before the bot answers, and act on the bot's outcome after.
 * `Prepared`: what it works out about the bot's turn before the write (its own type; the service only passes it on).
 */
export interface ConversationInterceptor<Prepared = unknown> {
  /** A turn to use instead of the bot's (staff hold the conversation, a rating), or null to let the bot answer. */
  before(message: IncomingMessage, conversation: ConversationRecord | undefined): Promise<EngineTurn | null>;
  /** Works out what `after` needs, asynchronously (asking the engine), before the write that stores the turn. */
  prepare(message: IncomingMessage, turn: EngineTurn): Promise<Prepared>;
  /**
   * May add replies (a case number) or change the outcome after the bot answered. It runs inside the write
   * that stores the message and its replies, so what it writes (a new case) commits with them or not at all.
   */
  after(message: IncomingMessage, turn: EngineTurn, prepared: Prepared): Promise<InterceptedTurn>;
}

/** The turn as the interceptor left it. */
export interface InterceptedTurn {
  turn: EngineTurn;
  /** Called once the turn is durable (to announce a case it opened). */
  committed?: () => void;
}

export interface HandledMessage extends EngineResult {
  /** True when the platform delivered this message before; no new answer was produced. */
  duplicate: boolean;
  /** How `options.send` went, when the replies were sent through it. */
  delivery?: DeliveryResult;
}

export interface HandleOptions {
  /**
   * Sends the replies through the platform (channels that push answers, such as Telegram). The replies are
   * written to the outbox with the message and sent once committed, so a crash in between re-sends them
   * after the restart (OutboundRouter.flushPending).
   */
  send?: (replies: readonly Reply[]) => Promise<DeliveryResult>;
  /**
   * Stores the message on its own before the engine runs and calls this once it is durable: for channels
   * that may acknowledge before the answer is ready (WeChat's 5-second reply window).
   */
  onStored?: () => void;
}

export interface MessageServiceEvents {
  demand: [DemandRecord];
  /** A message was answered; `ms` is the time `handle` took (for the latency metric). */
  handled: [IncomingMessage, EngineResult, number];
  /** The responder (engine threads) failed on a message, which was then answered on this thread. */
  responderFailed: [Error];
}

export class MessageService extends EventEmitter<MessageServiceEvents> {
  private interceptor: ConversationInterceptor | null = null;
  /** The last message being handled per conversation; the next one waits for it. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private sealer: TextSealer | null = null;
  private locks: ConversationLocks | null = null;
  /** Hashes client addresses for the demand log (keyed by the data key); none before a sealer is set. */
  private addressKeys: AddressKeys | null = null;
  private responder: Responder | null = null;
  /** This thread's engine; none while a responder answers and the engine was released. */
  private here: Engine | null;
  private knowledge: LoadedKnowledge;
  /** Builds this thread's engine again when the responder fails after the engine was released. */
  private loadEngine: (() => Promise<Engine>) | null = null;
  private loading: Promise<Engine> | null = null;

  constructor(
    private readonly store: CoreStore,
    source: AnswerSource,
  ) {
    super();
    if ('responder' in source) {
      this.here = null;
      this.responder = source.responder;
      this.knowledge = source.knowledge;
      this.loadEngine = source.loadEngine;
    } else {
      this.here = source;
      this.knowledge = { kb: source.knowledgeBase, modelInfo: source.modelInfo };
    }
  }

  /**
   * Keeps the original of masked messages sealed, for the staff member who holds the case; without it only the masked
   * text is kept. Its key also keys the hashes of client addresses in the demand log.
   */
  setSealer(sealer: TextSealer): void {
    this.sealer = sealer;
    this.addressKeys = new AddressKeys(sealer.deriveKey('huiying demand source address'));
  }

  /** With several instances: one conversation's messages are answered one at a time across all of them. */
  setConversationLocks(locks: ConversationLocks): void {
    this.locks = locks;
  }

  /** Installs the human side (escalations); without it the bot alone answers. */
  setInterceptor(interceptor: ConversationInterceptor): void {
    this.interceptor = interceptor;
  }

  /** Answers with `engine` on this thread from now on (a new knowledge base); conversations carry on. */
  setEngine(engine: Engine): void {
    this.responder = null;
    this.here = engine;
    this.knowledge = { kb: engine.knowledgeBase, modelInfo: engine.modelInfo };
  }

  /** Answers through `source.responder` (engine threads) from now on; this thread's engine, if any, is let go. */
  useResponder(source: ThreadedSource): void {
    this.responder = source.responder;
    this.knowledge = source.knowledge;
    this.loadEngine = source.loadEngine;
    this.here = null;
  }

  /**
   * Lets go of the engine this thread loaded when the responder failed, once the responder works again, so
   * its model does not weigh on this thread's garbage collection. Without a responder it does nothing.
   */
  releaseEngine(): void {
    if (this.responder && !this.loading) this.here = null;
  }

  /** The engine on this thread, or null while it is released. */
  get engineOnThisThread(): Engine | null {
    return this.here;
  }

  /** The knowledge base answered from. */
  get knowledgeBase(): KnowledgeBase {
    return this.knowledge.kb;
  }

  /** How the model was obtained (for metrics). */
  get modelInfo(): Engine['modelInfo'] {
    return this.knowledge.modelInfo;
  }

  /** The best-matching entries for a text with their scores (for routing a case by its question). */
  candidates(text: string): Promise<Candidate[]> {
    return this.ask((r) => r.candidates(text));
  }

  /** Entries for a staff search box: titles and questions containing the text first, then the matcher's best guesses. */
  async search(text: string, limit?: number): Promise<KnowledgeEntry[]> {
    const ids = await this.ask((r) => r.searchIds(text, limit));
    const byId = new Map(this.knowledge.kb.entries.map((e) => [e.id, e]));
    return ids.map((id) => byId.get(id)).filter((e) => e !== undefined);
  }

  /** Asks the responder, else (or when it fails) this thread's engine, loaded again if it was released. */
  private async ask<T>(question: (responder: Responder) => Promise<T>): Promise<T> {
    if (this.responder) {
      try {
        return await question(this.responder);
      } catch (err) {
        this.emit('responderFailed', err instanceof Error ? err : new Error(String(err)));
      }
    }
    return question(await this.loadedEngine());
  }

  private loadedEngine(): Promise<Engine> {
    if (this.here) return Promise.resolve(this.here);
    const load = this.loadEngine;
    if (!load) return Promise.reject(new Error('no engine is loaded'));
    this.loading ??= load()
      .then((engine) => (this.here ??= engine))
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  /**
   * Answers one message. The message, its replies, the conversation state and any demand signal are written
   * as one unit of work (group commit) and the promise resolves only once they are durable, so a channel
   * acknowledges a message only after it is stored. Messages of one conversation are handled in order.
   */
  handle(message: IncomingMessage, options: HandleOptions = {}): Promise<HandledMessage> {
    return this.inOrder(message.conversationId, () => this.process(message, options));
  }

  /**
   * Answers a message that was acknowledged before its answer was stored, when a crash came in between
   * (`store.messages.awaitingAnswers()`): the same turn as `handle`, on the stored message, sent through `send`.
   */
  resume(awaiting: AwaitingMessage, send?: HandleOptions['send']): Promise<HandledMessage> {
    const opened = awaiting.sealedText && this.sealer ? this.sealer.open(awaiting.sealedText) : null;
    const message = { ...awaiting.message, text: opened ?? awaiting.message.text };
    return this.inOrder(message.conversationId, () => this.process(message, { send }, awaiting.id));
  }

  /** Runs `work` after the conversation's earlier messages (on this instance, and on the others with `setConversationLocks`). */
  private inOrder(key: string, work: () => Promise<HandledMessage>): Promise<HandledMessage> {
    const previous = this.inFlight.get(key);
    const locks = this.locks;
    const step = locks ? () => locks.run(key, work) : work;
    const run = previous ? previous.then(step) : step();
    const tail = run.catch(() => undefined);
    this.inFlight.set(key, tail);
    void tail.then(() => {
      if (this.inFlight.get(key) === tail) this.inFlight.delete(key);
    });
    return run;
  }

  private respond(message: IncomingMessage, state: ConversationState): Promise<EngineTurn> {
    return this.ask((r) => r.respond(message, state));
  }

  /** `storedId`: the message is stored already (resumed), under this id. */
  private async process(incoming: IncomingMessage, options: HandleOptions, storedId?: number): Promise<HandledMessage> {
    const started = performance.now();
    // Every channel's text passes here: controls and bidi overrides go before the engine, the store and staff see it.
    const message = { ...incoming, text: neutraliseControls(incoming.text) };
    const { address, ...rest } = message;
    const masked = { ...rest, text: maskPersonalData(message.text) };
    const conversation = await this.store.conversations.get(message.conversationId);
    const duplicateResult = (): HandledMessage => ({
      conversationId: message.conversationId,
      lang: conversation?.state.lang ?? 'zh',
      outcome: 'answered',
      replies: [],
      candidates: [],
      duplicate: true,
    });
    if (storedId === undefined && message.platformMessageId && (await this.store.messages.seen(message.channel, message.platformMessageId))) return duplicateResult();
    // The citizen's exact words, when the stored text differs from them (masked, or cleaned of controls).
    const sealed = this.sealer && masked.text !== incoming.text ? this.sealer.seal(incoming.text) : undefined;
    const saveInbound = async (): Promise<{ id: number; duplicate: boolean }> => {
      const saved = await this.store.messages.saveInbound(masked, sealed);
      if (address && !saved.duplicate) await this.store.addresses.save(message.conversationId, message.channel, address);
      return saved;
    };
    if (storedId === undefined && options.onStored) {
      // Acknowledged before the answer exists: noted, so that the next start answers it if a crash comes first.
      const saved = await this.store.write(async () => {
        const saved = await saveInbound();
        if (!saved.duplicate) await this.store.messages.awaitAnswer(saved.id, new Date());
        return saved;
      });
      if (saved.duplicate) return duplicateResult();
      storedId = saved.id;
      options.onStored();
    }
    // What the citizen wrote is kept even when no answer could be produced or stored.
    const keepMessage = async (): Promise<void> => {
      if (storedId === undefined) await this.store.write(saveInbound).catch(() => undefined);
    };
    let taken: EngineTurn | null = null;
    let answer: EngineTurn;
    let prepared: unknown;
    try {
      taken = (await this.interceptor?.before(masked, conversation)) ?? null;
      answer = taken ?? (await this.respond(message, conversation?.state ?? initialState()));
      prepared = taken ? undefined : await this.interceptor?.prepare(masked, answer);
    } catch (err) {
      await keepMessage();
      throw err;
    }
    const now = new Date();
    const interceptor = taken ? null : this.interceptor;
    let written;
    try {
      written = await this.store.write(async () => {
        if (storedId === undefined) {
          if ((await saveInbound()).duplicate) return null;
        } else await this.store.messages.answered(storedId);
        const { turn, committed } = interceptor ? await interceptor.after(masked, answer, prepared) : { turn: answer, committed: undefined };
        const { result, state, demand } = turn;
        await this.store.messages.saveOutbound(message.conversationId, message.channel, result.outcome, result.replies, now);
        await this.store.conversations.save({
          id: message.conversationId,
          channel: message.channel,
          senderId: message.senderId,
          state: maskState(state),
          createdAt: conversation?.createdAt ?? message.time,
          updatedAt: now,
        });
        const demandRecord = demand ? await this.recordDemand(message, result, demand) : undefined;
        const outboxId = options.send && result.replies.length > 0 ? await this.store.outbox.add(message.conversationId, message.channel, result.replies, now) : undefined;
        return { result, demandRecord, outboxId, committed };
      });
    } catch (err) {
      // The turn rolled back as a whole, a case it opened included.
      await keepMessage();
      throw err;
    }
    if (!written) return duplicateResult();
    const { result } = written;
    written.committed?.();
    if (written.demandRecord) this.emit('demand', written.demandRecord);
    this.emit('handled', masked, result, performance.now() - started);
    if (written.outboxId === undefined || !options.send) return { ...result, duplicate: false };
    const delivery = await sendSafely(options.send, result.replies);
    const outboxId = written.outboxId;
    await this.store.write(() => this.store.outbox.mark(outboxId, delivery.status === 'sent' ? 'sent' : 'undeliverable', delivery.status === 'sent' ? null : delivery.reason));
    return { ...result, duplicate: false, delivery };
  }

  /**
   * A citizen's thumbs up or down on an answer. A thumbs-down is logged as a `not_helpful` demand signal for
   * the question the answer was for (`question`, else the conversation's last inbound message), masked.
   */
  async recordFeedback(conversationId: string, feedback: { helpful: boolean; question?: string; entryId?: string }): Promise<DemandRecord | null> {
    if (feedback.helpful) return null;
    const conversation = await this.store.conversations.get(conversationId);
    const question =
      feedback.question ?? (await this.store.messages.listByConversation(conversationId)).findLast((m) => m.direction === 'in')?.text;
    if (!conversation || !question) return null;
    const record = {
      conversationId,
      channel: conversation.channel,
      lang: conversation.state.lang ?? 'zh',
      text: storedText(question),
      reason: 'not_helpful' as const,
      candidates: feedback.entryId ? [{ entryId: feedback.entryId, score: 1 }] : [],
      createdAt: new Date(),
    };
    const saved = { id: await this.store.demand.record(record), ...record };
    this.emit('demand', saved);
    return saved;
  }

  private async recordDemand(message: IncomingMessage, result: EngineResult, demand: DemandSignal): Promise<DemandRecord> {
    const record = {
      conversationId: message.conversationId,
      channel: message.channel,
      lang: result.lang,
      text: storedText(demand.text),
      reason: demand.reason,
      candidates: demand.candidates,
      createdAt: message.time,
      sourceKey: message.clientAddress && this.addressKeys ? this.addressKeys.of(message.clientAddress) : undefined,
    };
    return { id: await this.store.demand.record(record), ...record };
  }
}

async function sendSafely(send: NonNullable<HandleOptions['send']>, replies: readonly Reply[]): Promise<DeliveryResult> {
  try {
    return await send(replies);
  } catch (err) {
    return { status: 'undeliverable', reason: 'failed', detail: (err as Error).message };
  }
}

function maskState<T extends { lastUnanswered?: string }>(state: T): T {
  return state.lastUnanswered ? { ...state, lastUnanswered: storedText(state.lastUnanswered) } : state;
}

/** A citizen's text as it may be stored: cleaned of controls and bidi overrides, personal data masked. */
function storedText(text: string): string {
  return maskPersonalData(neutraliseControls(text));
}
