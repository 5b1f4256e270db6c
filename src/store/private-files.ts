/**
 * Files holding personal data (the database, its WAL and shared-memory files, backups) are readable by
 * the server's user only (0600), and the folders the server creates for them are 0700. SQLite gives the
 * `-wal` and `-shm` files the mode of the database file, so creating the database 0600 covers them.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Mode of a file that holds personal data. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of a folder the server creates for such files. */
export const PRIVATE_FOLDER_MODE = 0o700;

/** Creates the folder (and missing parents) as 0700; a folder that exists keeps its mode (see `folderIsOpen`). */
export function makePrivateFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
}

/**
 * Makes `file` exist with mode 0600 before SQLite opens it, and tightens an existing one (and its `-wal`
 * and `-shm` files) that others could read, as an older version created them.
 */
export function preparePrivateDatabaseFile(file: string): void {
  makePrivateFolder(dirname(file));
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(path) && (statSync(path).mode & 0o077) !== 0) chmodSync(path, PRIVATE_FILE_MODE);
  }
}

/** True when others than the owner may list or enter the folder (worth a warning at start). */
export function folderIsOpen(folder: string): boolean {
  return existsSync(folder) && (statSync(folder).mode & 0o077) !== 0;
}
