/** Versioned schema migrations; each runs once, in order, inside a transaction. */
import type { Database } from 'better-sqlite3';

export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'conversations, messages, demand signals',
    sql: `
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        sender_id TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        sender_id TEXT,
        text TEXT NOT NULL,
        outcome TEXT,
        reply TEXT,
        platform_message_id TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX messages_conversation ON messages (conversation_id, id);
      CREATE UNIQUE INDEX messages_platform_id ON messages (channel, platform_message_id)
        WHERE platform_message_id IS NOT NULL;
      CREATE TABLE demand_signals (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        lang TEXT NOT NULL,
        text TEXT NOT NULL,
        reason TEXT NOT NULL,
        candidates TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX demand_signals_time ON demand_signals (created_at);
    `,
  },
  {
    version: 2,
    name: 'channel addresses',
    sql: `
      CREATE TABLE channel_addresses (
        conversation_id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        address TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'human handoff: staff, sessions, escalations, notes, audit log, outbox',
    sql: `
      CREATE TABLE staff (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
        departments TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE staff_sessions (
        id TEXT PRIMARY KEY,
        staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
      );
      CREATE TABLE escalations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_number TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        department TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'assigned', 'transferred', 'expired', 'resolved')),
        trigger TEXT NOT NULL,
        assignee_id INTEGER REFERENCES staff (id),
        question TEXT NOT NULL,
        candidates TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        first_response_at INTEGER,
        resolved_at INTEGER,
        expired_at INTEGER,
        rating TEXT,
        rating_comment TEXT,
        delivery_problem TEXT,
        follow_up_open INTEGER NOT NULL DEFAULT 0
      );
      CREATE UNIQUE INDEX escalations_one_open ON escalations (conversation_id)
        WHERE state IN ('pending', 'assigned', 'transferred', 'expired');
      CREATE INDEX escalations_queue ON escalations (state, department, created_at);
      CREATE TABLE escalation_notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        escalation_id INTEGER NOT NULL REFERENCES escalations (id),
        staff_id INTEGER NOT NULL REFERENCES staff (id),
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        staff_id INTEGER,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        replies TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'undeliverable')),
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX outbox_pending ON outbox (status) WHERE status = 'pending';
      CREATE TABLE faq_drafts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        escalation_id INTEGER REFERENCES escalations (id),
        department TEXT NOT NULL,
        lang TEXT NOT NULL,
        title TEXT NOT NULL,
        questions TEXT NOT NULL,
        answer TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'rejected')),
        entry_id TEXT,
        created_by INTEGER NOT NULL REFERENCES staff (id),
        created_at INTEGER NOT NULL,
        decided_by INTEGER REFERENCES staff (id),
        decided_at INTEGER
      );
    `,
  },
  {
    version: 4,
    name: 'sealed original text of messages with personal data',
    sql: `ALTER TABLE messages ADD COLUMN sealed_text TEXT;`,
  },
  {
    version: 5,
    name: 'daily aggregates kept after retention deletes conversation text',
    sql: `
      CREATE TABLE daily_stats (
        day TEXT NOT NULL,
        channel TEXT NOT NULL,
        metric TEXT NOT NULL,
        value INTEGER NOT NULL,
        PRIMARY KEY (day, channel, metric)
      );
      CREATE TABLE retention_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ran_at INTEGER NOT NULL,
        cutoff INTEGER NOT NULL,
        mode TEXT NOT NULL,
        counted_from INTEGER NOT NULL,
        affected TEXT NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'demand topics: status (ignored, drafted, covered) and the grouping state that keeps topic ids stable',
    sql: `
      CREATE TABLE demand_topics (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('open', 'ignored', 'drafted', 'covered')),
        reason TEXT,
        label TEXT,
        draft_id INTEGER REFERENCES faq_drafts (id),
        entry_id TEXT,
        updated_by INTEGER REFERENCES staff (id),
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE demand_topic_state (
        key TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'FAQ drafts assigned to a department with a due date, submitted for publication; notices to the citizens who asked',
    sql: `
      ALTER TABLE faq_drafts ADD COLUMN topic_id TEXT;
      ALTER TABLE faq_drafts ADD COLUMN due_at INTEGER;
      ALTER TABLE faq_drafts ADD COLUMN submitted_at INTEGER;
      ALTER TABLE faq_drafts ADD COLUMN submitted_by INTEGER REFERENCES staff (id);
      ALTER TABLE faq_drafts ADD COLUMN updated_at INTEGER;
      ALTER TABLE faq_drafts ADD COLUMN updated_by INTEGER REFERENCES staff (id);
      ALTER TABLE faq_drafts ADD COLUMN asked_in TEXT NOT NULL DEFAULT '[]';
      CREATE INDEX faq_drafts_department ON faq_drafts (status, department, due_at);
      CREATE TABLE faq_notices (
        draft_id INTEGER NOT NULL REFERENCES faq_drafts (id),
        conversation_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
        reason TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (draft_id, conversation_id)
      );
    `,
  },
  {
    version: 8,
    name: 'messages acknowledged before their answer was stored',
    sql: `
      CREATE TABLE awaiting_answers (
        message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 9,
    name: 'second factor (TOTP) for staff: sealed secrets, recovery codes stored hashed, enrolment-only sessions',
    sql: `
      CREATE TABLE staff_totp (
        staff_id INTEGER PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
        secret TEXT,
        pending_secret TEXT,
        enabled_at INTEGER,
        last_step INTEGER,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER
      );
      CREATE TABLE staff_recovery_codes (
        staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
        code_hash TEXT NOT NULL,
        used_at INTEGER,
        PRIMARY KEY (staff_id, code_hash)
      );
      ALTER TABLE staff_sessions ADD COLUMN scope TEXT NOT NULL DEFAULT 'full' CHECK (scope IN ('full', 'enrol'));
    `,
  },
  {
    version: 10,
    name: 'demand signals keep a keyed hash of the client address, to count people rather than messages',
    sql: `
      ALTER TABLE demand_signals ADD COLUMN source_key TEXT;
    `,
  },
  {
    version: 11,
    name: 'login throttling in memory, keyed by an unlock epoch per account (no account lock-out)',
    sql: `
      ALTER TABLE staff ADD COLUMN login_epoch INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE staff DROP COLUMN failed_logins;
      ALTER TABLE staff DROP COLUMN locked_until;
    `,
  },
  {
    version: 12,
    name: 'case numbers from a counter per day (unique under concurrent opening, unlike counting the cases)',
    sql: `
      CREATE TABLE case_counters (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
      INSERT INTO case_counters (day, last)
        SELECT substr(case_number, 4, 8), MAX(CAST(substr(case_number, 13) AS INTEGER)) FROM escalations
        WHERE case_number LIKE 'HY-________-%' GROUP BY 1;
    `,
  },
];

/** Applies the migrations the database has not seen yet; returns the versions applied. */
export function migrate(db: Database): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    })();
    applied.push(m.version);
  }
  return applied;
}