/** The store contract on SQLite: a fresh database file in a temporary folder for each test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { describeStoreContract } from './contract.ts';

const files = new Map<SqliteStore, string>();

describeStoreContract(
  'SqliteStore',
  () => {
    const file = join(mkdtempSync(join(tmpdir(), 'huiying-contract-')), 'huiying.db');
    const store = new SqliteStore(file);
    files.set(store, file);
    return Promise.resolve(store);
  },
  async (store) => {
    await store.close();
    rmSync(dirname(files.get(store)!), { recursive: true, force: true });
    files.delete(store);
  },
);
