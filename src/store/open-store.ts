/** Opens the store the configuration names: PostgreSQL with DATABASE_URL, else the embedded SQLite file. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config.ts';
import { redactedUrl } from '../privacy/redacted-url.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions {
  /** A long-running server: SQLite checkpoints its WAL on a thread of its own. */
  server?: boolean;
  /**
   * Set: a PostgreSQL that cannot be opened (down, unreachable, wrong credentials, a database that does not exist)
   * is tried again, waiting longer each time up to 30 s, and each failure is reported here, instead of the
   * process ending (and a service manager restarting it in a loop). Unset: the first failure is thrown.
   */
  onWaiting?: (problem: string, retryInMs: number) => void;
  /** Ends the waiting: the open rejects. */
  signal?: AbortSignal;
}

export async function openStore(config: Pick<Config, 'DATABASE_PATH' | 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>, options: OpenStoreOptions = {}): Promise<Store> {
  const url = config.DATABASE_URL;
  if (!url) return new SqliteStore(config.DATABASE_PATH, { backgroundCheckpoints: options.server === true });
  const { PostgresStore } = await import('./postgres/postgres-store.ts');
  for (let wait = 1_000; ; wait = Math.min(wait * 2, 30_000)) {
    try {
      return await PostgresStore.open(url, { poolSize: config.DATABASE_POOL_SIZE });
    } catch (err) {
      const problem = `cannot open PostgreSQL at ${redactedUrl(url)} (DATABASE_URL): ${(err as Error).message}`;
      if (!options.onWaiting) throw new Error(problem);
      options.onWaiting(problem, wait);
      await sleep(wait, undefined, { signal: options.signal }).catch(() => {
        throw new Error(`stopped while waiting for the database (${problem})`);
      });
    }
  }
}
