/** What only the PostgreSQL store has: its schema option, migrations shared by instances starting together, its readiness probe. */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { databaseProblem } from '../../src/store/postgres/write-probe.ts';
import { dropSchema, testPostgres, testSchema } from '../support/postgres.ts';

const url = await testPostgres('PostgreSQL store');
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(url, schema);
});

const newSchema = (): string => {
  const schema = testSchema();
  schemas.push(schema);
  return schema;
};

async function migrationRows(databaseUrl: string, schema: string): Promise<Array<{ version: number; applied_at: string }>> {
  const client = new pg.Client(databaseUrl);
  await client.connect();
  try {
    return (await client.query<{ version: number; applied_at: string }>(`SELECT version, applied_at FROM ${pg.escapeIdentifier(schema)}.schema_migrations ORDER BY version`)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgresStore', () => {
  const databaseUrl = url!;

  it('migrates a new schema once when several instances start together, and not again on reopening', async () => {
    const schema = newSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(databaseUrl, { schema, poolSize: 2 })));
    const rows = await migrationRows(databaseUrl, schema);
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await stores[0]!.conversations.save({ id: 'web:1', channel: 'web', senderId: 's', state: { misses: 0 }, createdAt: new Date(1_000), updatedAt: new Date(2_000) });
    expect((await stores[3]!.conversations.get('web:1'))?.updatedAt).toEqual(new Date(2_000));
    await Promise.all(stores.map((s) => s.close()));

    const reopened = await PostgresStore.open(databaseUrl, { schema });
    try {
      expect(await migrationRows(databaseUrl, schema)).toEqual(rows);
      expect(await reopened.conversations.get('web:1')).toBeDefined();
    } finally {
      await reopened.close();
    }
  });

  it('keeps schemas apart', async () => {
    const [a, b] = await Promise.all([PostgresStore.open(databaseUrl, { schema: newSchema() }), PostgresStore.open(databaseUrl, { schema: newSchema() })]);
    try {
      await a.staff.create({ name: 'li', displayName: 'Li', role: 'admin', departments: [], passwordHash: 'x' });
      expect([await a.staff.count(), await b.staff.count()]).toEqual([1, 0]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('refuses a schema name that would need quoting, and rejects when the server cannot be reached', async () => {
    await expect(PostgresStore.open(databaseUrl, { schema: 'Bad-Name' })).rejects.toThrow(/schema name/);
    await expect(PostgresStore.open('postgres://postgres@127.0.0.1:1/postgres')).rejects.toThrow();
  });

  it('reports a read-only database as not taking writes', async () => {
    const pool = new pg.Pool({ connectionString: databaseUrl, options: '-c default_transaction_read_only=on' });
    try {
      expect(await databaseProblem(pool)).toBe('database is read-only');
    } finally {
      await pool.end();
    }
    expect(await databaseProblem(pool)).toBe('database is closed');
  });
});
