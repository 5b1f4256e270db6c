/**
 * The PostgreSQL of the tests: TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres. Suites needing it are
 * skipped, with a plain line saying so, where none answers; with CI set a missing PostgreSQL fails instead.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_TEST_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs `work` on a connection of its own to `url`, closed afterwards. */
async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return await withClient(url, async (client) => (await client.query('SELECT 1 AS one')).rows[0]?.one === 1);
  } catch {
    return false;
  }
}

/** The URL when a PostgreSQL answers there; null (and a line on stderr) when none does and CI is not set. */
export async function testPostgres(suite: string): Promise<string | null> {
  if (await answers(POSTGRES_TEST_URL)) return POSTGRES_TEST_URL;
  if (process.env.CI) throw new Error(`${suite}: no PostgreSQL answers at ${POSTGRES_TEST_URL}, and under CI nothing may be skipped (.ci/run starts it)`);
  console.warn(`skipped: ${suite} (no PostgreSQL at ${POSTGRES_TEST_URL}; start one, or set TEST_DATABASE_URL)`);
  return null;
}

/** A schema name of its own for one test, so that tests never see each other's tables. */
export const testSchema = (): string => `huiying_test_${randomBytes(6).toString('hex')}`;

/** Drops a test's schema with everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  await withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`));
}
