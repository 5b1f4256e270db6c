/** `huiying backup FILE`: an online copy of the live database that opens, holds the same rows, and restores. */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase, BackupError, tableCounts } from '../../src/store/sqlite/backup.ts';
import { SHARED_MODEL_CACHE } from '../support/paths.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const run = promisify(execFile);
let server: TestServer;
let out: string;

async function say(conversationId: string, text: string): Promise<void> {
  const res = await fetch(`${server.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ conversationId, text }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  server = await startTestServer();
  out = mkdtempSync(join(tmpdir(), 'huiying-backup-'));
  await say('backup-conv-0001', '居住证怎么办理');
  await say('backup-conv-0001', '需要什么材料');
  await say('backup-conv-0002', '量子计算机原理是什么');
  await say('backup-conv-0002', '转人工');
});

afterAll(async () => {
  await server?.stop();
  rmSync(out, { recursive: true, force: true });
});

describe('backup', () => {
  it('copies the live database (while the server runs) into one file with the same rows', async () => {
    const target = join(out, 'copy.db');
    const result = await backupDatabase(join(server.dir, 'test.db'), target);
    expect(result.file).toBe(target);
    expect(result.bytes).toBeGreaterThan(0);
    expect(existsSync(`${target}.partial`)).toBe(false);
    expect(existsSync(`${target}-wal`)).toBe(false);

    const copy = new Database(target, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      expect(tableCounts(copy)).toEqual(tableCounts(server.store.db));
      expect(result.tables).toEqual(tableCounts(server.store.db));
      expect(tableCounts(copy).messages).toBeGreaterThanOrEqual(8);
      const live = server.store.db.prepare('SELECT id, conversation_id, text, outcome FROM messages ORDER BY id').all();
      expect(copy.prepare('SELECT id, conversation_id, text, outcome FROM messages ORDER BY id').all()).toEqual(live);
      expect(copy.prepare('SELECT case_number FROM escalations').pluck().all()).toEqual(
        server.store.db.prepare('SELECT case_number FROM escalations').pluck().all(),
      );
    } finally {
      copy.close();
    }
    // The server kept working during and after the backup.
    await say('backup-conv-0003', '社保卡怎么办理');
  });

  it('says clearly why a path cannot be used', async () => {
    const db = join(server.dir, 'test.db');
    await expect(backupDatabase(db, join(out, 'no-such-folder', 'x.db'))).rejects.toThrow(/folder .*no-such-folder does not exist/);
    await expect(backupDatabase(db, join(out, 'no-such-folder', 'x.db'))).rejects.toBeInstanceOf(BackupError);
    await expect(backupDatabase(db, out)).rejects.toThrow(/it is a folder; give a file name/);
    await expect(backupDatabase(db, join(db, 'x.db'))).rejects.toThrow(/is not a folder/);
    await expect(backupDatabase(db, db)).rejects.toThrow(/must not be the database itself/);
    await expect(backupDatabase(join(out, 'missing.db'), join(out, 'y.db'))).rejects.toThrow(/no database at .*check DATABASE_PATH/);
  });

  it('restores: a server started on a copy of the backup has the conversations', async () => {
    const target = join(out, 'restore.db');
    await backupDatabase(join(server.dir, 'test.db'), target);
    const dir = mkdtempSync(join(tmpdir(), 'huiying-restore-'));
    copyFileSync(target, join(dir, 'test.db'));
    // The key that seals original texts lives beside the database unless DATA_KEY is set: restore it too.
    if (existsSync(join(server.dir, 'data.key'))) copyFileSync(join(server.dir, 'data.key'), join(dir, 'data.key'));
    const restored = await startTestServer({ dir });
    try {
      const res = await fetch(`${restored.url}/api/v1/conversations/backup-conv-0001/messages`);
      const body = (await res.json()) as { messages: { direction: string; text: string }[] };
      expect(body.messages.filter((m) => m.direction === 'in').map((m) => m.text)).toEqual(['居住证怎么办理', '需要什么材料']);
      expect((await restored.store.escalations.findOpen('backup-conv-0002'))?.state).toBe('pending');
    } finally {
      await restored.stop();
    }
  });

  it('`huiying backup FILE` from the command line, and its error for an unwritable path', async () => {
    const env = { ...process.env, DATABASE_PATH: join(server.dir, 'test.db'), MODEL_CACHE_DIR: SHARED_MODEL_CACHE, LOG_LEVEL: 'silent' };
    const target = join(out, 'cli.db');
    const ok = await run('node', ['bin/huiying.js', 'backup', target], { env });
    expect(ok.stdout).toMatch(/^backed up .*test\.db to .*cli\.db \(\d+ bytes, \d+ ms\): conversations \d+, demand_signals \d+, escalations 1, messages \d+/);
    const copy = new Database(target, { readonly: true });
    expect(copy.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(server.store.db.prepare('SELECT COUNT(*) FROM messages').pluck().get());
    copy.close();
    const failed = await run('node', ['bin/huiying.js', 'backup', '/no/such/folder/huiying.db'], { env }).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('cannot write the backup to /no/such/folder/huiying.db: the folder /no/such/folder does not exist');
  });
});
