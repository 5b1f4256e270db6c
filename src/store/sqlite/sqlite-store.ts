/** The SQLite store (better-sqlite3, WAL): one file holds conversations, messages and demand signals. */
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import { preparePrivateDatabaseFile } from '../private-files.ts';
import type { IncomingMessage, Outcome, Reply } from '../../core/message.ts';
import type {
  AwaitingMessage,
  ChannelAddress,
  ChannelAddressRepository,
  ConversationRecord,
  ConversationRepository,
  DemandRecord,
  DemandRepository,
  MessageRepository,
  OutboxRepository,
  StoredMessage,
} from '../../core/ports.ts';
import { type Row, toAwaitingMessage, toChannelAddress, toConversation, toDemandRecord, toStoredMessage } from '../rows.ts';
import type { Store } from '../store.ts';
import type { DemandAnalyticsRepository } from '../../demand/ports.ts';
import type {
  AuditRepository,
  EscalationRepository,
  FaqDraftRepository,
  NoteRepository,
  SecondFactorRepository,
  SessionRepository,
  StaffRepository,
} from '../../handoff/ports.ts';
import type { RetentionRepository } from '../../ops/ports.ts';
import { SqliteAudit, SqliteEscalations, SqliteFaqDrafts, SqliteNotes, SqliteOutbox, SqliteSessions, SqliteStaff } from './handoff-repositories.ts';
import { SqliteDemandAnalytics } from './demand-analytics-repository.ts';
import { migrate } from './migrations.ts';
import { SqliteRetention } from './retention-repository.ts';
import { databaseProblem } from './write-probe.ts';
import { SqliteSecondFactors } from './second-factor-repository.ts';
import { asynchronous, type Synchronous } from './synchronous.ts';
import { WriteBatcher, type WriteBatcherOptions } from './write-batcher.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';

/** Whether the code running now is inside a unit of work (and which); set by `write`. */
interface Unit {
  open: boolean;
}

export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly conversations: ConversationRepository;
  readonly messages: MessageRepository;
  readonly demand: DemandRepository;
  readonly addresses: ChannelAddressRepository;
  readonly escalations: EscalationRepository;
  readonly staff: StaffRepository;
  readonly sessions: SessionRepository;
  readonly secondFactors: SecondFactorRepository;
  readonly notes: NoteRepository;
  readonly audit: AuditRepository;
  readonly outbox: OutboxRepository;
  readonly faqDrafts: FaqDraftRepository;
  readonly retention: RetentionRepository;
  readonly demandAnalytics: DemandAnalyticsRepository;
  /** The group commit behind `write`. */
  readonly batcher: WriteBatcher;

  /** The thread that checkpoints the WAL, when the store was opened with `backgroundCheckpoints`. */
  readonly checkpointer: WalCheckpointer | null = null;
  private readonly unit = new AsyncLocalStorage<Unit>();

  /** `backgroundCheckpoints`: WAL checkpoints run on a thread of their own instead of inside commits (file databases). */
  constructor(path: string, options: { groupCommit?: WriteBatcherOptions; backgroundCheckpoints?: boolean } = {}) {
    if (path !== ':memory:') preparePrivateDatabaseFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    // 32 MB of page cache (the default is 2 MB): the conversation and message indexes of a busy day stay in memory.
    this.db.pragma('cache_size = -32768');
    migrate(this.db);
    // File databases sync the WAL of each batch off the event loop (see write-batcher.ts); ':memory:' has no file to sync.
    const walPath = path === ':memory:' ? undefined : `${path}-wal`;
    this.batcher = new WriteBatcher(this.db, { walPath, ...options.groupCommit });
    const gate = (): Promise<void> | null => (this.batcher.busy && !this.inUnit() ? this.batcher.idle() : null);
    const wrap = <P extends object>(repo: Synchronous<P>): P => asynchronous(repo, gate);
    this.conversations = wrap<ConversationRepository>(new SqliteConversations(this.db));
    this.messages = wrap<MessageRepository>(new SqliteMessages(this.db));
    this.demand = wrap<DemandRepository>(new SqliteDemand(this.db));
    this.addresses = wrap<ChannelAddressRepository>(new SqliteAddresses(this.db));
    this.escalations = wrap<EscalationRepository>(new SqliteEscalations(this.db));
    this.staff = wrap<StaffRepository>(new SqliteStaff(this.db));
    this.sessions = wrap<SessionRepository>(new SqliteSessions(this.db));
    this.secondFactors = wrap<SecondFactorRepository>(new SqliteSecondFactors(this.db));
    this.notes = wrap<NoteRepository>(new SqliteNotes(this.db));
    this.audit = wrap<AuditRepository>(new SqliteAudit(this.db));
    this.outbox = wrap<OutboxRepository>(new SqliteOutbox(this.db));
    this.faqDrafts = wrap<FaqDraftRepository>(new SqliteFaqDrafts(this.db));
    this.retention = wrap<RetentionRepository>(new SqliteRetention(this.db));
    this.demandAnalytics = wrap<DemandAnalyticsRepository>(new SqliteDemandAnalytics(this.db));
    if (options.backgroundCheckpoints && path !== ':memory:') this.checkpointer = new WalCheckpointer(this.db, path);
  }

  /** A unit started inside another joins it (its writes commit or roll back with the outer one). */
  write<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inUnit()) return fn();
    return this.batcher.write(async () => {
      const unit: Unit = { open: true };
      try {
        return await this.unit.run(unit, fn);
      } finally {
        unit.open = false;
      }
    });
  }

  writeProblem(): Promise<string | null> {
    return Promise.resolve(databaseProblem(this.db));
  }

  /** Commits the writes still queued, then closes the file. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    void this.checkpointer?.stop();
    await this.batcher.close();
    if (this.db.open) this.db.close();
  }

  private inUnit(): boolean {
    return this.unit.getStore()?.open === true;
  }
}

class SqliteConversations implements Synchronous<ConversationRepository> {
  private readonly getStmt;
  private readonly saveStmt;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare('SELECT * FROM conversations WHERE id = ?');
    this.saveStmt = db.prepare(`
      INSERT INTO conversations (id, channel, sender_id, state, created_at, updated_at)
      VALUES (@id, @channel, @senderId, @state, @createdAt, @updatedAt)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`);
  }

  get(id: string): ConversationRecord | undefined {
    const row = this.getStmt.get(id) as Row | undefined;
    return row ? toConversation(row) : undefined;
  }

  save(record: ConversationRecord): void {
    this.saveStmt.run({
      id: record.id,
      channel: record.channel,
      senderId: record.senderId,
      state: JSON.stringify(record.state),
      createdAt: record.createdAt.getTime(),
      updatedAt: record.updatedAt.getTime(),
    });
  }
}

class SqliteMessages implements Synchronous<MessageRepository> {
  private readonly insert;
  private readonly list;
  private readonly seenStmt;
  private readonly awaitStmt;
  private readonly answeredStmt;
  private readonly awaitingStmt;

  constructor(db: Database.Database) {
    this.insert = db.prepare(`
      INSERT INTO messages (conversation_id, channel, direction, sender_id, text, sealed_text, outcome, reply, platform_message_id, created_at)
      VALUES (@conversationId, @channel, @direction, @senderId, @text, @sealedText, @outcome, @reply, @platformId, @createdAt)
      ON CONFLICT DO NOTHING`);
    this.list = db.prepare(`
      SELECT * FROM (SELECT * FROM messages WHERE conversation_id = ? AND id > ? ORDER BY id DESC LIMIT ?) ORDER BY id`);
    this.seenStmt = db.prepare('SELECT 1 FROM messages WHERE channel = ? AND platform_message_id = ?').pluck();
    this.awaitStmt = db.prepare('INSERT OR IGNORE INTO awaiting_answers (message_id, created_at) VALUES (?, ?)');
    this.answeredStmt = db.prepare('DELETE FROM awaiting_answers WHERE message_id = ?');
    this.awaitingStmt = db.prepare('SELECT m.*, a.created_at AS acknowledged_at FROM awaiting_answers a JOIN messages m ON m.id = a.message_id ORDER BY m.id');
  }

  awaitAnswer(messageId: number, time: Date): void {
    this.awaitStmt.run(messageId, time.getTime());
  }

  answered(messageId: number): void {
    this.answeredStmt.run(messageId);
  }

  awaitingAnswers(): AwaitingMessage[] {
    return (this.awaitingStmt.all() as Row[]).map(toAwaitingMessage);
  }

  seen(channel: string, platformMessageId: string): boolean {
    return this.seenStmt.get(channel, platformMessageId) !== undefined;
  }

  saveInbound(m: IncomingMessage, sealedText?: string): { id: number; duplicate: boolean } {
    const info = this.insert.run({
      conversationId: m.conversationId,
      channel: m.channel,
      direction: 'in',
      senderId: m.senderId,
      text: m.text,
      sealedText: sealedText ?? null,
      outcome: null,
      reply: null,
      platformId: m.platformMessageId ?? null,
      createdAt: m.time.getTime(),
    });
    return { id: Number(info.lastInsertRowid), duplicate: info.changes === 0 };
  }

  saveOutbound(conversationId: string, channel: string, outcome: Outcome, replies: readonly Reply[], time: Date): void {
    for (const reply of replies) {
      this.insert.run({
        conversationId,
        channel,
        direction: 'out',
        senderId: null,
        text: reply.text,
        sealedText: null,
        outcome,
        reply: JSON.stringify(reply),
        platformId: null,
        createdAt: time.getTime(),
      });
    }
  }

  listByConversation(conversationId: string, limit = 200, afterId = 0): StoredMessage[] {
    return (this.list.all(conversationId, afterId, limit) as Row[]).map(toStoredMessage);
  }
}

class SqliteDemand implements Synchronous<DemandRepository> {
  private readonly insert;
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
    this.insert = db.prepare(`
      INSERT INTO demand_signals (conversation_id, channel, lang, text, reason, candidates, created_at, source_key)
      VALUES (@conversationId, @channel, @lang, @text, @reason, @candidates, @createdAt, @sourceKey)`);
  }

  record(s: Omit<DemandRecord, 'id'>): number {
    const info = this.insert.run({ ...s, candidates: JSON.stringify(s.candidates), createdAt: s.createdAt.getTime(), sourceKey: s.sourceKey ?? null });
    return Number(info.lastInsertRowid);
  }

  list(options: { since?: Date; limit?: number } = {}): DemandRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM demand_signals WHERE created_at >= ? ORDER BY id DESC LIMIT ?')
      .all(options.since?.getTime() ?? 0, options.limit ?? 1000) as Row[];
    return rows.map(toDemandRecord);
  }
}

class SqliteAddresses implements Synchronous<ChannelAddressRepository> {
  private readonly saveStmt;
  private readonly getStmt;

  constructor(db: Database.Database) {
    this.saveStmt = db.prepare(`
      INSERT INTO channel_addresses (conversation_id, channel, address, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (conversation_id) DO UPDATE SET address = excluded.address, updated_at = excluded.updated_at`);
    this.getStmt = db.prepare('SELECT channel, address FROM channel_addresses WHERE conversation_id = ?');
  }

  save(conversationId: string, channel: string, address: ChannelAddress): void {
    this.saveStmt.run(conversationId, channel, JSON.stringify(address), Date.now());
  }

  get(conversationId: string): { channel: string; address: ChannelAddress } | undefined {
    const row = this.getStmt.get(conversationId) as Row | undefined;
    return row ? toChannelAddress(row) : undefined;
  }
}
