/** The readiness probe of a SQLite database: a real write inside a savepoint that is rolled back. */
import type Database from 'better-sqlite3';

/** Null when the database takes writes, else why not. */
export function databaseProblem(db: Database.Database): string | null {
  if (!db.open) return 'database is closed';
  if (db.readonly) return 'database is read-only';
  try {
    db.exec('SAVEPOINT readiness_probe');
    try {
      db.exec('CREATE TABLE main.readiness_probe (x)');
    } finally {
      db.exec('ROLLBACK TO readiness_probe; RELEASE readiness_probe');
    }
    return null;
  } catch (err) {
    return `database is not writable: ${(err as Error).message}`;
  }
}
