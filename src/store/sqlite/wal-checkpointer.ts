/**
 * WAL checkpoints off the main thread. SQLite's automatic checkpoint runs inside the commit that crosses
 * 1,000 WAL pages: it copies those pages into the database file and fsyncs it on the committing thread,
 * which for the server is the thread that answers HTTP. Here the main connection's automatic checkpoint is
 * off and a thread of its own checkpoints every `intervalMs` on a second connection. Should that thread
 * stop, the main connection checkpoints automatically again, so the WAL never grows without bound.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** SQLite's default automatic checkpoint, in WAL pages. */
const AUTOMATIC_CHECKPOINT_PAGES = 1000;

export interface WalCheckpointerEvents {
  /** A checkpoint ran: pages in the WAL, and how many of them are now in the database file. */
  checkpointed: [walPages: number, copied: number];
  /** A checkpoint failed, or the thread stopped (the main connection then checkpoints itself). */
  problem: [message: string];
}

export class WalCheckpointer extends EventEmitter<WalCheckpointerEvents> {
  private readonly worker: Worker;
  private stopping = false;

  constructor(
    private readonly db: Database.Database,
    path: string,
    intervalMs = 1000,
  ) {
    super();
    db.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), { workerData: { path, intervalMs } });
    this.worker.unref();
    this.worker.on('message', (m: { kind: 'checkpointed'; walPages: number; copied: number } | { kind: 'failed'; error: string }) => {
      if (m.kind === 'checkpointed') this.emit('checkpointed', m.walPages, m.copied);
      else this.emit('problem', `WAL checkpoint failed: ${m.error}`);
    });
    this.worker.on('error', (err) => this.emit('problem', `the WAL checkpoint thread failed: ${err.message}`));
    this.worker.on('exit', () => {
      if (this.stopping || !this.db.open) return;
      this.db.pragma(`wal_autocheckpoint = ${AUTOMATIC_CHECKPOINT_PAGES}`);
      this.emit('problem', 'the WAL checkpoint thread stopped; the main connection checkpoints again');
    });
  }

  /** Ends the thread; its connection closes, so the main connection's close can checkpoint and remove the WAL. */
  stop(): Promise<void> {
    this.stopping = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Unreferenced while it runs (it must not keep the process alive); referenced now, or a shutdown awaiting
    // this with nothing else pending would see the process end before the database is closed.
    this.worker.ref();
    this.worker.postMessage('stop');
    return exited;
  }

  /** For tests of the recovery: ends the thread as a crash would. */
  async crash(): Promise<void> {
    await this.worker.terminate();
  }
}
