/**
 * The pool of a PostgreSQL store and its ambient units of work: `write` holds one client in a transaction, and
 * every statement run from inside it (in its async context) goes to that client until the unit ends.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import type { Row } from '../rows.ts';

/** The unit of work the running code belongs to; `open` turns false when it commits or rolls back. */
interface Unit {
  client: PoolClient;
  open: boolean;
}

export class PgDatabase {
  private readonly units = new AsyncLocalStorage<Unit>();

  constructor(readonly pool: Pool) {}

  /** Runs one statement: in the caller's unit of work while it is open, else on the pool (autocommit). */
  query<R extends QueryResultRow = Row>(text: string, values: readonly unknown[] = []): Promise<QueryResult<R>> {
    const unit = this.units.getStore();
    return unit?.open ? unit.client.query<R>(text, values as unknown[]) : this.pool.query<R>(text, values as unknown[]);
  }

  async rows<R extends QueryResultRow = Row>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    return (await this.query<R>(text, values)).rows;
  }

  /** The first row, or undefined when there is none. */
  async row<R extends QueryResultRow = Row>(text: string, values: readonly unknown[] = []): Promise<R | undefined> {
    return (await this.query<R>(text, values)).rows[0];
  }

  /** The number of rows the statement changed. */
  async changes(text: string, values: readonly unknown[] = []): Promise<number> {
    return (await this.query(text, values)).rowCount ?? 0;
  }

  /**
   * Runs `fn` as one transaction on a client of its own, committed when it resolves and rolled back (then
   * rejected) when it throws. Inside an open unit it joins that unit instead.
   */
  async write<T>(fn: () => Promise<T>): Promise<T> {
    if (this.units.getStore()?.open) return fn();
    const client = await this.pool.connect();
    let healthy = false;
    // A checked-out client's connection failing (the server gone) is an 'error' event with nobody else listening,
    // which would end the process; the unit's statements reject on their own, and the client is dropped below.
    const lost = (): void => {
      healthy = false;
    };
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      const unit: Unit = { client, open: true };
      let result: T;
      try {
        result = await this.units.run(unit, fn);
      } catch (error) {
        unit.open = false;
        await client.query('ROLLBACK').then(
          () => (healthy = true),
          () => undefined,
        );
        throw error;
      }
      unit.open = false;
      await client.query('COMMIT');
      healthy = true;
      return result;
    } finally {
      client.off('error', lost);
      // A client whose BEGIN, COMMIT or ROLLBACK failed may be broken: the pool drops it rather than hand it out again.
      client.release(!healthy);
    }
  }
}
