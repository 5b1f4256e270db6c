/** The store contract on PostgreSQL: a fresh schema for each test, dropped afterwards; skipped (said so) where none answers. */
import { it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { dropSchema, testPostgres, testSchema } from '../support/postgres.ts';
import { describeStoreContract } from './contract.ts';

const url = await testPostgres('PostgreSQL store contract');
const schemas = new Map<PostgresStore, string>();

if (url) {
  describeStoreContract(
    'PostgresStore',
    async () => {
      const schema = testSchema();
      const store = await PostgresStore.open(url, { schema });
      schemas.set(store, schema);
      return store;
    },
    async (store) => {
      await store.close();
      await dropSchema(url, schemas.get(store)!);
      schemas.delete(store);
    },
  );
} else {
  it.skip('PostgresStore: store contract (no PostgreSQL)', () => undefined);
}
