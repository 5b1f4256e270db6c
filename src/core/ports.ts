/** Repository interfaces: the core talks to storage only through these (SQLite now, PostgreSQL later). */
import type { ConversationState } from './conversation-state.ts';
import type { DemandReason } from './engine.ts';
import type { Candidate, IncomingMessage, Lang, Outcome, Reply } from './message.ts';

export interface ConversationRecord {
  id: string;
  channel: string;
  senderId: string;
  state: ConversationState;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredMessage {
  id: number;
  conversationId: string;
  channel: string;
  direction: 'in' | 'out';
  text: string;
  /** The sealed original text, present only where masking changed what the citizen wrote. */
  sealedText?: string;
  outcome?: Outcome;
  reply?: Reply;
  createdAt: Date;
}

export interface DemandRecord {
  id: number;
  conversationId: string;
  channel: string;
  lang: Lang;
  text: string;
  reason: DemandReason;
  candidates: Candidate[];
  createdAt: Date;
  /** Keyed one-way hash of the client's network address (HTTP API, web widget), never the address itself. */
  sourceKey?: string | undefined;
}

export interface ConversationRepository {
  get(id: string): ConversationRecord | undefined;
  save(record: ConversationRecord): void;
}

export interface MessageRepository {
  /**
   * Stores an inbound message (already masked); `sealedText` is the sealed original when masking changed
   * it. `duplicate` when the channel already delivered this platform id.
   */
  saveInbound(message: IncomingMessage, sealedText?: string): { id: number; duplicate: boolean };
  /** True when the channel already delivered a message with this platform id. */
  seen(channel: string, platformMessageId: string): boolean;
  saveOutbound(conversationId: string, channel: string, outcome: Outcome, replies: readonly Reply[], time: Date): void;
  /** The newest `limit` (default 200) messages of a conversation with an id above `afterId`, oldest first. */
  listByConversation(conversationId: string, limit?: number, afterId?: number): StoredMessage[];
  /** Notes that an inbound message was acknowledged before its answer was stored. */
  awaitAnswer(messageId: number, time: Date): void;
  /** The answer to the message is stored. */
  answered(messageId: number): void;
  /** Inbound messages still waiting for their answer (a crash came between acknowledging and answering), oldest first. */
  awaitingAnswers(): AwaitingMessage[];
}

/** An inbound message acknowledged but not answered, as stored (masked text; the sealed original if any). */
export interface AwaitingMessage {
  id: number;
  message: IncomingMessage;
  sealedText?: string;
  /** When it was acknowledged, by this server's clock. */
  acknowledgedAt: Date;
}

export interface DemandRepository {
  record(signal: Omit<DemandRecord, 'id'>): number;
  list(options?: { since?: Date; limit?: number }): DemandRecord[];
}

/** How to reach a conversation on its platform (chat id, open id, service URL): what "send later" needs. */
export type ChannelAddress = Record<string, unknown>;

export interface ChannelAddressRepository {
  save(conversationId: string, channel: string, address: ChannelAddress): void;
  get(conversationId: string): { channel: string; address: ChannelAddress } | undefined;
}

export type OutboxStatus = 'pending' | 'sent' | 'undeliverable';

export interface OutboxItem {
  id: number;
  conversationId: string;
  channel: string;
  replies: Reply[];
  status: OutboxStatus;
  reason: string | null;
  attempts: number;
  createdAt: Date;
}

/** Replies written for later delivery, kept until the platform took them (so a restart loses nothing). */
export interface OutboxRepository {
  add(conversationId: string, channel: string, replies: readonly Reply[], at: Date): number;
  mark(id: number, status: OutboxStatus, reason?: string | null): void;
  pending(): OutboxItem[];
  forConversation(conversationId: string): OutboxItem[];
}

/** Keeps the messages of one conversation in order across the instances of a deployment (none: this instance alone). */
export interface ConversationLocks {
  /** Runs `work` while no other instance answers a message of the conversation. */
  run<T>(conversationId: string, work: () => Promise<T>): Promise<T>;
}

/** The repositories the core uses, plus a unit of work (the whole store, `src/store/store.ts`, has more). */
export interface CoreStore {
  conversations: ConversationRepository;
  messages: MessageRepository;
  demand: DemandRepository;
  addresses: ChannelAddressRepository;
  outbox: OutboxRepository;
  transaction<T>(fn: () => T): T;
  /**
   * A unit of work committed with others (group commit): `fn` runs synchronously later, inside the next
   * batch's transaction, and the promise resolves with its result only once the batch is durable. A unit that
   * throws is rolled back alone and rejects.
   */
  write<T>(fn: () => T): Promise<T>;
  /** Null when the store takes writes, else why not, in words (for readiness checks). */
  writeProblem(): string | null;
  close(): void;
}
