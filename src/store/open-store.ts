/** Opens the store the configuration names: PostgreSQL with DATABASE_URL, else the embedded SQLite file. */
import type { Config } from '../config.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** `server`: a long-running server (SQLite checkpoints its WAL on a thread of its own). */
export async function openStore(config: Pick<Config, 'DATABASE_PATH' | 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>, options: { server?: boolean } = {}): Promise<Store> {
  if (config.DATABASE_URL) {
    const { PostgresStore } = await import('./postgres/postgres-store.ts');
    return PostgresStore.open(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
  }
  return new SqliteStore(config.DATABASE_PATH, { backgroundCheckpoints: options.server === true });
}
