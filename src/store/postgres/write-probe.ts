/** The readiness probe of a PostgreSQL store: a statement inside a transaction that is rolled back. */
import type { Pool } from 'pg';

/** Null when the database takes writes, else why not. */
export async function databaseProblem(pool: Pool): Promise<string | null> {
  if (pool.ending) return 'database is closed';
  let client;
  try {
    client = await pool.connect();
  } catch (err) {
    return `database is unreachable: ${(err as Error).message}`;
  }
  let healthy = false;
  // The connection failing meanwhile rejects the query below; unheard, its 'error' event would end the process.
  const lost = (): void => {
    healthy = false;
  };
  client.on('error', lost);
  try {
    await client.query('BEGIN');
    // A hot standby answers reads but refuses every write.
    const row = (await client.query<{ read_only: string }>("SELECT current_setting('transaction_read_only') AS read_only")).rows[0];
    await client.query('ROLLBACK');
    healthy = true;
    return row?.read_only === 'on' ? 'database is read-only' : null;
  } catch (err) {
    return `database is not writable: ${(err as Error).message}`;
  } finally {
    client.off('error', lost);
    client.release(!healthy);
  }
}
