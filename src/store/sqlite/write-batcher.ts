/**
 * Group commit for SQLite: units of work queue up and run together in one transaction, so one fsync
 * (`synchronous=FULL`) makes a whole batch durable. A unit's promise settles only after its batch committed;
 * a unit that throws is rolled back alone (a savepoint) and rejects, the rest of its batch still commits.
 */
import type Database from 'better-sqlite3';

export interface WriteBatcherOptions {
  /**
   * Commits happen at most this often (ms). A write arriving after a quiet spell commits at the end of the
   * current turn of the event loop; under load, writes gather for up to this long and share one commit.
   */
  windowMs?: number;
  /** A queue this long commits at once. */
  maxBatch?: number;
  /** Called after any rollback (of a unit or of a whole batch), so caches can drop what they hold. */
  onRollback?: () => void;
}

/** What the batcher has done since it started (for the load bench and metrics). */
export interface WriteBatcherStats {
  batches: number;
  writes: number;
  largestBatch: number;
}

interface Queued {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

export class StoreClosedError extends Error {
  override name = 'StoreClosedError';
}

export class WriteBatcher {
  readonly stats: WriteBatcherStats = { batches: 0, writes: 0, largestBatch: 0 };
  private queue: Queued[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private lastCommit = 0;
  private closed = false;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    private readonly options: WriteBatcherOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 2;
    this.maxBatch = options.maxBatch ?? 512;
    this.statements = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT unit'),
      release: db.prepare('RELEASE unit'),
      rollbackTo: db.prepare('ROLLBACK TO unit'),
    };
  }

  /** Number of units waiting for the next commit. */
  get queued(): number {
    return this.queue.length;
  }

  /** Queues `fn` (synchronous, using the store's repositories); resolves with its result once committed. */
  write<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError('the store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      // Inside a transaction of the caller's (store.transaction) a commit must wait for it to end.
      if (this.queue.length >= this.maxBatch && !this.db.inTransaction) this.flush();
      else this.schedule();
    });
  }

  /** Commits everything queued now. */
  flush(): void {
    this.cancelTimer();
    if (this.db.inTransaction) {
      this.schedule();
      return;
    }
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.commit(batch);
    }
  }

  /** Commits what is queued and refuses further writes. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = this.lastCommit + this.windowMs - performance.now();
    this.timer = wait > 0 ? setTimeout(() => this.flush(), wait) : setImmediate(() => this.flush());
  }

  private cancelTimer(): void {
    if (!this.timer) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = null;
  }

  private commit(batch: Queued[]): void {
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    let rolledBack = false;
    try {
      this.statements.begin.run();
      for (const unit of batch) {
        if (!this.db.inTransaction) throw new Error('the batch transaction was aborted by SQLite');
        this.statements.savepoint.run();
        try {
          results.push({ ok: true, value: unit.fn() });
          this.statements.release.run();
        } catch (error) {
          results.push({ ok: false, error });
          rolledBack = true;
          if (this.db.inTransaction) {
            this.statements.rollbackTo.run();
            this.statements.release.run();
          }
        }
      }
      this.statements.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.statements.rollback.run();
      this.options.onRollback?.();
      for (const unit of batch) unit.reject(error);
      return;
    } finally {
      this.lastCommit = performance.now();
    }
    if (rolledBack) this.options.onRollback?.();
    this.stats.batches++;
    this.stats.writes += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    batch.forEach((unit, i) => {
      const result = results[i]!;
      if (result.ok) unit.resolve(result.value);
      else unit.reject(result.error);
    });
  }
}
