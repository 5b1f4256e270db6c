/** The store contract on PostgreSQL (or PGlite where no server answers): a fresh schema for each test, dropped afterwards. */
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { dropSchema, testPostgres, testSchema } from '../support/postgres.ts';
import { describeStoreContract } from './contract.ts';

const url = await testPostgres('PostgreSQL store contract');
const schemas = new Map<PostgresStore, string>();

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
