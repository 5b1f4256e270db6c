/** Fills an empty PostgreSQL store with rows copied from another database, table by table, in one transaction. */
import pg from 'pg';
import { PgDatabase } from './database.ts';
import { migrate } from './migrations.ts';
import { STORE_TYPES } from './values.ts';

/** One table to copy: its name, its columns and its rows in batches (parents before children). */
export interface SourceTable {
  name: string;
  columns: string[];
  rowCount: number;
  batches(batchSize: number): Iterable<unknown[][]>;
}

/** Rows copied per table, in the order copied. */
export type ImportReport = Array<{ table: string; rows: number }>;

/** Rows per INSERT statement (PostgreSQL allows 65,535 parameters per statement). */
const BATCH_ROWS = 500;

/**
 * Migrates the schema at `url`, then copies every table in one transaction (all or nothing). Refuses a
 * database that already holds rows, a table PostgreSQL lacks and a column it lacks (that data would be lost).
 */
export async function importTables(url: string, tables: readonly SourceTable[], options: { schema?: string; onTable?: (table: string, rows: number) => void } = {}): Promise<ImportReport> {
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000, types: STORE_TYPES, ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}) });
  pool.on('error', () => undefined);
  const db = new PgDatabase(pool);
  try {
    await migrate(db, options.schema);
    return await db.write(async () => {
      const target = await targetColumns(db);
      for (const table of tables) {
        const columns = target.get(table.name);
        if (!columns) throw new Error(`table ${table.name} is not in the PostgreSQL schema: is this database from a newer Huiying?`);
        const missing = table.columns.filter((c) => !columns.has(c));
        if (missing.length > 0) throw new Error(`table ${table.name}: PostgreSQL has no column ${missing.join(', ')}: is this database from a newer Huiying?`);
        const held = (await db.row<{ n: number }>(`SELECT COUNT(*)::bigint AS n FROM ${pg.escapeIdentifier(table.name)}`))!.n;
        if (held > 0) throw new Error(`PostgreSQL already holds data (${table.name}: ${held} rows): copy into an empty database (or schema)`);
      }
      const report: ImportReport = [];
      for (const table of tables) {
        let rows = 0;
        // Values go as SQLite holds them: PostgreSQL reads 0/1 into boolean columns and text into jsonb ones.
        for (const batch of table.batches(BATCH_ROWS)) {
          await insert(db, table.name, table.columns, batch);
          rows += batch.length;
        }
        if (rows !== table.rowCount) throw new Error(`table ${table.name}: read ${rows} rows, expected ${table.rowCount}`);
        if (target.get(table.name)!.has('id') && (await identityColumn(db, table.name))) await restartIdentity(db, table.name);
        report.push({ table: table.name, rows });
        options.onTable?.(table.name, rows);
      }
      return report;
    });
  } finally {
    await pool.end();
  }
}

/** The schema's tables, each with its columns. */
async function targetColumns(db: PgDatabase): Promise<Map<string, Set<string>>> {
  const rows = await db.rows<{ table_name: string; column_name: string }>('SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()');
  const tables = new Map<string, Set<string>>();
  for (const r of rows) (tables.get(r.table_name) ?? tables.set(r.table_name, new Set()).get(r.table_name)!).add(r.column_name);
  return tables;
}

async function insert(db: PgDatabase, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  const values: unknown[] = [];
  const tuples = rows.map((row) => `(${row.map((v) => `$${values.push(v)}`).join(', ')})`);
  await db.query(`INSERT INTO ${pg.escapeIdentifier(table)} (${columns.map((c) => pg.escapeIdentifier(c)).join(', ')}) VALUES ${tuples.join(', ')}`, values);
}

async function identityColumn(db: PgDatabase, table: string): Promise<boolean> {
  const row = await db.row<{ identity: string }>(
    "SELECT is_identity AS identity FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'",
    [table],
  );
  return row?.identity === 'YES';
}

/** Makes the next generated id follow the highest copied one (copied rows kept their ids). */
async function restartIdentity(db: PgDatabase, table: string): Promise<void> {
  await db.query(
    `SELECT setval(pg_get_serial_sequence($1, 'id'), COALESCE((SELECT MAX(id) FROM ${pg.escapeIdentifier(table)}), 0) + 1, false)`,
    [pg.escapeIdentifier(table)],
  );
}
