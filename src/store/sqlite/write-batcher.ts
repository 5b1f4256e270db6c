/**
 * Group commit for SQLite: units of work queue up and run together in one transaction, so one fsync makes a
 * whole batch durable. A unit's promise settles only after its batch is durable; a unit that throws is
 * rolled back alone (a savepoint) and rejects, the rest of its batch still commits.
 *
 * With a WAL file (`walPath`), the fsync leaves the event loop: the batch commits with `synchronous=NORMAL`
 * (SQLite writes the WAL frames but does not wait for the disk), then the WAL file is fsynced on libuv's thread
 * pool and the batch's promises resolve after that, so nothing is acknowledged before it is on disk, exactly
 * as with `synchronous=FULL`. Units arriving meanwhile gather and commit together when the sync ends, so the
 * batches grow with the disk's latency. Writes outside the batcher keep FULL.
 */
import { EventEmitter } from 'node:events';
import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
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
  /** The database's WAL file: when set, batches commit with synchronous=NORMAL and this file is fsynced off the event loop before they resolve. */
  walPath?: string;
  /** Makes the WAL durable (default: fsync of `walPath` on the thread pool); tests replace it to hold a sync back. */
  syncWal?: (done: (error: Error | null) => void) => void;
}

/** What the batcher has done since it started (for the load bench and metrics). */
export interface WriteBatcherStats {
  batches: number;
  writes: number;
  largestBatch: number;
}

interface Queued {
  fn: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** A committed unit waiting for the WAL to reach the disk. */
type Settle = (syncError: Error | null) => void;

export class StoreClosedError extends Error {
  override name = 'StoreClosedError';
}

export interface WriteBatcherEvents {
  /** A WAL sync ended: how long it took (ms) and how many units of work it made durable. */
  synced: [ms: number, units: number];
}

export class WriteBatcher extends EventEmitter<WriteBatcherEvents> {
  readonly stats: WriteBatcherStats = { batches: 0, writes: 0, largestBatch: 0 };
  private queue: Queued[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private lastCommit = 0;
  private closed = false;
  /** The batches being committed now (null when none), and who waits for the batch transaction to end. */
  private draining: Promise<void> | null = null;
  private transactionOpen = false;
  private idleWaiters: (() => void)[] = [];
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly statements;
  private walFd: number | null = null;
  /** Committed units whose WAL sync has not started yet, and whether a sync is running. */
  private awaitingSync: Settle[] = [];
  /** The units of the sync running now (empty when none runs). */
  private syncingUnits: Settle[] = [];
  private get syncing(): boolean {
    return this.syncingUnits.length > 0;
  }

  constructor(
    private readonly db: Database.Database,
    private readonly options: WriteBatcherOptions = {},
  ) {
    super();
    this.windowMs = options.windowMs ?? 2;
    this.maxBatch = options.maxBatch ?? 512;
    this.statements = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT unit'),
      release: db.prepare('RELEASE unit'),
      rollbackTo: db.prepare('ROLLBACK TO unit'),
      normal: db.prepare('PRAGMA synchronous = NORMAL'),
      full: db.prepare('PRAGMA synchronous = FULL'),
    };
  }

  private get offLoopSync(): boolean {
    return this.options.walPath !== undefined || this.options.syncWal !== undefined;
  }

  /** Number of units waiting for the next commit. */
  get queued(): number {
    return this.queue.length;
  }

  /** True while a batch transaction is open: statements outside its units must wait for `idle()`. */
  get busy(): boolean {
    return this.transactionOpen;
  }

  /** Resolves when the open batch transaction (if any) has ended. */
  idle(): Promise<void> {
    if (!this.transactionOpen) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Queues `fn` (using the store's repositories, awaiting only them); resolves with its result once committed. */
  write<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError('the store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length >= this.maxBatch) void this.flush();
      else this.schedule();
    });
  }

  /** Commits everything queued now; resolves when it is committed (not yet necessarily on disk). */
  flush(): Promise<void> {
    this.cancelTimer();
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
      if (this.queue.length > 0 && !this.closed) this.schedule();
    });
    return this.draining;
  }

  private async drain(): Promise<void> {
    // A transaction of someone else's (a migration, a retention pass) must end first.
    while (this.db.inTransaction) await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      await this.commit(batch);
    }
  }

  /** Commits what is queued, makes it durable, and refuses further writes. */
  async close(): Promise<void> {
    while (this.draining || this.queue.length > 0) await this.flush();
    this.closed = true;
    // The fsync below covers the running sync's units too; whichever settles them first wins.
    const waiting = [...this.syncingUnits, ...this.awaitingSync];
    this.awaitingSync = [];
    if (this.walFd !== null) {
      let error: Error | null = null;
      try {
        fsyncSync(this.walFd);
      } catch (err) {
        error = err as Error;
      }
      for (const settle of waiting) settle(error);
      closeSync(this.walFd);
      this.walFd = null;
    } else for (const settle of waiting) settle(null);
  }

  private schedule(): void {
    // While a WAL sync runs, new units would only wait for the next one: they gather and commit when it ends.
    if (this.timer || this.syncing) return;
    const wait = this.lastCommit + this.windowMs - performance.now();
    this.timer = wait > 0 ? setTimeout(() => void this.flush(), wait) : setImmediate(() => void this.flush());
  }

  private cancelTimer(): void {
    if (!this.timer) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = null;
  }

  private async commit(batch: Queued[]): Promise<void> {
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    let rolledBack = false;
    const offLoop = this.offLoopSync;
    try {
      if (offLoop) this.statements.normal.run();
      this.statements.begin.run();
      this.transactionOpen = true;
      for (const unit of batch) {
        if (!this.db.inTransaction) throw new Error('the batch transaction was aborted by SQLite');
        this.statements.savepoint.run();
        try {
          results.push({ ok: true, value: await unit.fn() });
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
      this.transactionOpen = false;
      for (const wake of this.idleWaiters.splice(0)) wake();
      if (offLoop && !this.db.inTransaction) this.statements.full.run();
      this.lastCommit = performance.now();
    }
    if (rolledBack) this.options.onRollback?.();
    this.stats.batches++;
    this.stats.writes += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    const settles = batch.map((unit, i): Settle => {
      const result = results[i]!;
      return (syncError) => {
        if (!result.ok) unit.reject(result.error);
        else if (syncError) unit.reject(syncError);
        else unit.resolve(result.value);
      };
    });
    if (!offLoop) {
      for (const settle of settles) settle(null);
      return;
    }
    this.awaitingSync.push(...settles);
    this.startSync();
  }

  /** Syncs the WAL for every unit committed so far; units committed while it runs wait for the next one. */
  private startSync(): void {
    if (this.syncing || this.awaitingSync.length === 0) return;
    const settles = this.awaitingSync;
    this.awaitingSync = [];
    this.syncingUnits = settles;
    const started = performance.now();
    this.syncWal((error) => {
      this.syncingUnits = [];
      if (!error) this.emit('synced', performance.now() - started, settles.length);
      for (const settle of settles) settle(error);
      if (this.queue.length > 0 && !this.closed) void this.flush();
      else this.startSync();
    });
  }

  private syncWal(done: (error: Error | null) => void): void {
    if (this.options.syncWal) return this.options.syncWal(done);
    try {
      this.walFd ??= openSync(this.options.walPath!, 'r');
    } catch (err) {
      return done(err as Error);
    }
    fsync(this.walFd, (err) => done(err));
  }
}
