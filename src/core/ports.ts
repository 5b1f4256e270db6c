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
  get(id: string): Promise<ConversationRecord | undefined>;
  save(record: ConversationRecord): Promise<void>;
}

export interface MessageRepository {
  /**
   * Stores an inbound message (already masked); `sealedText` is the sealed original when masking changed
   * it. `duplicate` when the channel already delivered this platform id.
   */
  saveInbound(message: IncomingMessage, sealedText?: string): Promise<{ id: number; duplicate: boolean }>;
  /** True when the channel already delivered a message with this platform id. */
  seen(channel: string, platformMessageId: string): Promise<boolean>;
  saveOutbound(conversationId: string, channel: string, outcome: Outcome, replies: readonly Reply[], time: Date): Promise<void>;
  /** The newest `limit` (default 200) messages of a conversation with an id above `afterId`, oldest first. */
  listByConversation(conversationId: string, limit?: number, afterId?: number): Promise<StoredMessage[]>;
  /** Notes that an inbound message was acknowledged before its answer was stored. */
  awaitAnswer(messageId: number, time: Date): Promise<void>;
  /** The answer to the message is stored. */
  answered(messageId: number): Promise<void>;
  /** Inbound messages still waiting for their answer (a crash came between acknowledging and answering), oldest first. */
  awaitingAnswers(): Promise<AwaitingMessage[]>;
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
  record(signal: Omit<DemandRecord, 'id'>): Promise<number>;
  list(options?: { since?: Date; limit?: number }): Promise<DemandRecord[]>;
}

/** How to reach a conversation on its platform (chat id, open id, service URL): what "send later" needs. */
export type ChannelAddress = Record<string, unknown>;

export interface ChannelAddressRepository {
  save(conversationId: string, channel: string, address: ChannelAddress): Promise<void>;
  get(conversationId: string): Promise<{ channel: string; address: ChannelAddress } | undefined>;
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
  add(conversationId: string, channel: string, replies: readonly Reply[], at: Date): Promise<number>;
  mark(id: number, status: OutboxStatus, reason?: string | null): Promise<void>;
  pending(): Promise<OutboxItem[]>;
  forConversation(conversationId: string): Promise<OutboxItem[]>;
}

/** Keeps the messages of one conversation in order across the instances of a deployment (none: this instance alone). */
export interface ConversationLocks {
  /** Runs `work` while no other instance answers a message of the conversation. */
  run<T>(conversationId: string, work: () => Promise<T>): Promise<T>;
}

/** The repositories the core uses. */
export interface CoreRepositories {
  conversations: ConversationRepository;
  messages: MessageRepository;
  demand: DemandRepository;
  addresses: ChannelAddressRepository;
  outbox: OutboxRepository;
}

/** The core's repositories plus units of work (the whole store, `src/store/store.ts`, has more). */
export interface CoreStore extends CoreRepositories {
  /**
   * Runs `fn` as one unit of work: every repository call it makes (in its async context, through this
   * store's repositories) commits or rolls back together, and the promise resolves only once the unit is
   * durable. On SQLite units are group-committed (several share one transaction and one fsync, each in a
   * savepoint of its own); `fn` should then await only the store. A unit that throws is rolled back alone
   * and rejects.
   */
  write<T>(fn: () => Promise<T>): Promise<T>;
  /** Null when the store takes writes, else why not, in words (for readiness checks). */
  writeProblem(): Promise<string | null>;
  /** Commits what is queued and closes the connection(s). */
  close(): Promise<void>;
}
