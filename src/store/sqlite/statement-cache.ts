/** Prepared statements kept per database and SQL text: preparing is the costly part of a small query. */
import type Database from 'better-sqlite3';

/** Beyond this many distinct SQL texts per database the oldest statement is dropped (filters build SQL from their options). */
const MAX_STATEMENTS = 500;

const caches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** `?, ?, ?` for an `IN (...)` list of `n` values. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** `db.prepare(sql)`, prepared once; the statement comes back with `pluck` off, as a fresh one would. */
export function statement(db: Database.Database, sql: string): Database.Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) {
    if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt.reader ? stmt.pluck(false) : stmt;
}
