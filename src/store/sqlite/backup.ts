/**
 * Online backup of the SQLite database (better-sqlite3's backup API): consistent while the server runs and
 * writes, page by page, into a new file. Restore = stop the server, copy the file to DATABASE_PATH, start.
 */
import Database from 'better-sqlite3';
import { accessSync, closeSync, constants, existsSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PRIVATE_FILE_MODE } from '../private-files.ts';

/** A backup that cannot be made; the message says why in words for the operator. */
export class BackupError extends Error {
  override name = 'BackupError';
}

export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
  tables: Record<string, number>;
}

/** Checks the target before any work: its folder must exist and be writable, and it must not be the database itself. */
function checkTarget(source: string, target: string): void {
  const folder = dirname(target);
  if (!existsSync(folder)) throw new BackupError(`cannot write the backup to ${target}: the folder ${folder} does not exist`);
  if (!statSync(folder).isDirectory()) throw new BackupError(`cannot write the backup to ${target}: ${folder} is not a folder`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new BackupError(`cannot write the backup to ${target}: the folder ${folder} is not writable`);
  }
  if (existsSync(target) && statSync(target).isDirectory()) throw new BackupError(`cannot write the backup to ${target}: it is a folder; give a file name`);
  if (resolve(source) === resolve(target)) throw new BackupError('the backup file must not be the database itself');
}

/** Row counts of the main tables, to print beside a backup (and compare with the source). */
export function tableCounts(db: Database.Database): Record<string, number> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT COUNT(*) FROM "${t.replaceAll('"', '""')}"`).pluck().get() as number]));
}

/**
 * Copies the database at `databasePath` into `target` (replacing an existing file only once the copy is
 * complete). Works while a server has the database open.
 */
export async function backupDatabase(databasePath: string, target: string): Promise<BackupResult> {
  if (!existsSync(databasePath)) throw new BackupError(`no database at ${databasePath} (check DATABASE_PATH)`);
  checkTarget(databasePath, target);
  const started = performance.now();
  const partial = `${target}.partial`;
  // The copy holds personal data: it is created 0600 before SQLite writes into it (and the rename keeps the mode).
  rmSync(partial, { force: true });
  closeSync(openSync(partial, 'wx', PRIVATE_FILE_MODE));
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    await db.backup(partial);
  } catch (err) {
    rmSync(partial, { force: true });
    throw new BackupError(`backup to ${target} failed: ${(err as Error).message}`);
  } finally {
    db.close();
  }
  let tables: Record<string, number>;
  const copy = new Database(partial, { fileMustExist: true });
  try {
    // One self-contained file (no -wal/-shm beside it); the server turns WAL back on when it opens a restored copy.
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`the backup did not pass its integrity check: ${String(check)}`);
    tables = tableCounts(copy);
  } catch (err) {
    copy.close();
    rmSync(partial, { force: true });
    throw err;
  }
  copy.close();
  renameSync(partial, target);
  return { file: target, bytes: statSync(target).size, ms: Math.round(performance.now() - started), tables };
}
