/** `huiying db migrate-to-postgres`: copies an existing SQLite database into an empty PostgreSQL one. */
import { importTables, type ImportReport } from './postgres/table-import.ts';
import { SqliteExport } from './sqlite/table-export.ts';

/**
 * Copies every table of the SQLite file at `from` into PostgreSQL at `to` (migrated first), in one
 * transaction, ids and all; the SQLite file is only read. Stop the server first: rows written meanwhile are not copied.
 */
export async function migrateToPostgres(from: string, to: string, options: { schema?: string; onTable?: (table: string, rows: number) => void } = {}): Promise<ImportReport> {
  const source = new SqliteExport(from);
  try {
    return await importTables(to, source.tables(), options);
  } finally {
    source.close();
  }
}
