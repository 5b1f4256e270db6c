/** The database, its WAL and shared-memory files, the data key and backups are readable by the server's user only. */
import Database from 'better-sqlite3';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase } from '../../src/store/sqlite/backup.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let dataDir: string;
let previousUmask: number;

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

beforeAll(async () => {
  // The usual umask: without the fix, files come out 0644 and folders 0755.
  previousUmask = process.umask(0o022);
  const dir = mkdtempSync(join(tmpdir(), 'huiying-modes-'));
  dataDir = join(dir, 'var', 'huiying');
  server = await startTestServer({ dir, config: { DATABASE_PATH: join(dataDir, 'huiying.db') } });
  const res = await fetch(`${server.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ conversationId: 'modes-0001', text: '我的电话是13812345678，居住证怎么办理' }),
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await server?.stop();
  process.umask(previousUmask);
});

describe('file modes', () => {
  it('the data folder is 0700; the database, its -wal and -shm files and the key file are 0600', () => {
    expect(mode(dataDir)).toBe('700');
    expect(mode(join(dataDir, 'huiying.db'))).toBe('600');
    expect(mode(join(dataDir, 'huiying.db-wal'))).toBe('600');
    expect(mode(join(dataDir, 'huiying.db-shm'))).toBe('600');
    expect(mode(join(dataDir, 'data.key'))).toBe('600');
  });

  it('a backup is 0600, also when it replaces an older file others could read', async () => {
    const out = mkdtempSync(join(tmpdir(), 'huiying-modes-backup-'));
    try {
      const target = join(out, 'copy.db');
      writeFileSync(target, 'old');
      chmodSync(target, 0o644);
      await backupDatabase(join(dataDir, 'huiying.db'), target);
      expect(mode(target)).toBe('600');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('a database an older version created 0644 is tightened to 0600 when opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huiying-modes-old-'));
    try {
      const file = join(dir, 'old.db');
      const old = new Database(file);
      old.pragma('journal_mode = WAL');
      old.exec('CREATE TABLE t (x)');
      old.close();
      chmodSync(file, 0o644);
      expect(mode(file)).toBe('644');
      const store = new SqliteStore(file);
      try {
        expect(mode(file)).toBe('600');
        expect(mode(`${file}-wal`)).toBe('600');
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
