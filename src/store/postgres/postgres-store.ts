/** The PostgreSQL store (node-postgres pool): every repository of one database schema, with ambient units of work. */
import pg from 'pg';
import type { ChannelAddressRepository, ConversationRepository, DemandRepository, MessageRepository, OutboxRepository } from '../../core/ports.ts';
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
import type { Store } from '../store.ts';
import { PgAddresses, PgConversations, PgDemand, PgMessages } from './core-repositories.ts';
import { PgDatabase } from './database.ts';
import { PgDemandAnalytics } from './demand-analytics-repository.ts';
import { PgAudit, PgEscalations, PgFaqDrafts, PgNotes, PgOutbox, PgSessions, PgStaff } from './handoff-repositories.ts';
import { migrate } from './migrations.ts';
import { PgRetention } from './retention-repository.ts';
import { PgSecondFactors } from './second-factor-repository.ts';
import { STORE_TYPES } from './values.ts';
import { databaseProblem } from './write-probe.ts';

export interface PostgresStoreOptions {
  /** The schema to keep the tables in (created when missing; the connections' search_path); default: the server's search_path. */
  schema?: string;
  /** Connections in the pool (default 10); each open unit of work holds one. */
  poolSize?: number;
}

/** A schema name that needs no quoting, so that the search_path option names exactly the schema created. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresStore implements Store {
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

  private constructor(private readonly db: PgDatabase) {
    this.conversations = new PgConversations(db);
    this.messages = new PgMessages(db);
    this.demand = new PgDemand(db);
    this.addresses = new PgAddresses(db);
    this.escalations = new PgEscalations(db);
    this.staff = new PgStaff(db);
    this.sessions = new PgSessions(db);
    this.secondFactors = new PgSecondFactors(db);
    this.notes = new PgNotes(db);
    this.audit = new PgAudit(db);
    this.outbox = new PgOutbox(db);
    this.faqDrafts = new PgFaqDrafts(db);
    this.retention = new PgRetention(db);
    this.demandAnalytics = new PgDemandAnalytics(db);
  }

  /** Connects to `url` (postgres://...) and migrates the schema; resolves with the store ready for use. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      types: STORE_TYPES,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // An idle connection the server closed: the pool drops it and connects again when needed; a query on it would reject.
    pool.on('error', () => undefined);
    const db = new PgDatabase(pool);
    try {
      await migrate(db, schema);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresStore(db);
  }

  write<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.write(fn);
  }

  writeProblem(): Promise<string | null> {
    return databaseProblem(this.db.pool);
  }

  /** Waits for the connections in use to be released, then closes them all; closing again does nothing. */
  async close(): Promise<void> {
    if (!this.db.pool.ending) await this.db.pool.end();
  }
}
