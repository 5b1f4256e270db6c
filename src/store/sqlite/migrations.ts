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
