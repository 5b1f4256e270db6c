/** Reads a SQLite database table by table, parents before children, for copying it into another database. */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { migrate } from './migrations.ts';

/** Rows of one table, as SQLite stores them (times in ms, JSON as text, booleans as 0/1). */
export interface ExportedTable {
  name: string;
  columns: string[];
  rowCount: number;
  /** The rows in primary-key order, `batchSize` at a time. */
  batches(batchSize: number): Iterable<unknown[][]>;
}

/** A SQLite database opened read-only to be copied (brought to the current schema first if it is older). */
export class SqliteExport {
  private readonly db: Database.Database;

  constructor(path: string) {
    if (!existsSync(path)) throw new Error(`no SQLite database at ${path} (DATABASE_PATH)`);
    // Migrating first (a no-op on a current database) means the copy sees the columns the PostgreSQL schema has.
    const writable = new Database(path);
    try {
      writable.pragma('busy_timeout = 5000');
      migrate(writable);
    } finally {
      writable.close();
    }
    this.db = new Database(path, { readonly: true });
    this.db.pragma('busy_timeout = 5000');
    // One read transaction: every table is copied as of the same moment.
    this.db.exec('BEGIN');
  }

  /** Every table of the application (not SQLite's own, not the migration log), parents first. */
  tables(): ExportedTable[] {
    const names = (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY name").pluck().all() as string[]);
    return parentsFirst(names, (name) => (this.db.prepare('SELECT "table" FROM pragma_foreign_key_list(?)').pluck().all(name) as string[])).map((name) => {
      const columns = this.db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck().all(name) as string[];
      const rowCount = this.db.prepare(`SELECT COUNT(*) FROM "${name}"`).pluck().get() as number;
      const db = this.db;
      return {
        name,
        columns,
        rowCount,
        *batches(batchSize: number): Iterable<unknown[][]> {
          const rows = db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${name}" ORDER BY rowid`).raw().iterate() as Iterable<unknown[]>;
          let batch: unknown[][] = [];
          for (const row of rows) {
            batch.push(row);
            if (batch.length >= batchSize) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length > 0) yield batch;
        },
      };
    });
  }

  close(): void {
    this.db.close();
  }
}

/** Orders tables so that each comes after the tables its foreign keys point to. */
function parentsFirst(names: readonly string[], parentsOf: (name: string) => string[]): string[] {
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visit = (name: string, path: Set<string>): void => {
    if (placed.has(name) || path.has(name)) return;
    path.add(name);
    for (const parent of parentsOf(name)) if (names.includes(parent)) visit(parent, path);
    placed.add(name);
    ordered.push(name);
  };
  for (const name of names) visit(name, new Set());
  return ordered;
}
