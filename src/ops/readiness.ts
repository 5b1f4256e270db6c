/**
 * Readiness (`/readyz`): the server can take traffic when its database accepts writes and a model is loaded,
 * and it is not shutting down. `/healthz` stays a plain liveness check.
 */
import type Database from 'better-sqlite3';
import type { MessageService } from '../core/message-service.ts';
import type { Store } from '../core/ports.ts';

export interface ReadinessDeps {
  store: Store;
  /** The SQLite connection, for a real write probe (rolled back). */
  db?: Database.Database;
  service: MessageService;
  /** True once a shutdown has begun: load balancers should stop sending requests. */
  draining?: () => boolean;
}

export interface Readiness {
  ready: boolean;
  /** Why not, in words (absent when ready). */
  reason?: string;
  checks: { database: string; model: string; shutdown: string };
}

/** Null when the database takes writes, else why not. The probe writes inside a savepoint it rolls back. */
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

export function checkReadiness(deps: ReadinessDeps): Readiness {
  let database = 'ok';
  try {
    const problem = deps.db ? databaseProblem(deps.db) : null;
    if (problem) database = problem;
    else if (!deps.store.isWritable()) database = 'database is not writable';
  } catch (err) {
    database = `database check failed: ${(err as Error).message}`;
  }
  let model = 'ok';
  try {
    if (deps.service.knowledgeBase.entries.length === 0) model = 'the knowledge base has no entries';
  } catch (err) {
    model = `model check failed: ${(err as Error).message}`;
  }
  const shutdown = deps.draining?.() ? 'shutting down' : 'ok';
  const problems = [database, model, shutdown].filter((c) => c !== 'ok');
  return { ready: problems.length === 0, ...(problems.length ? { reason: problems.join('; ') } : {}), checks: { database, model, shutdown } };
}
