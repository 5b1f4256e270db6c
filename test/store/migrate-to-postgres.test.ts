/** `huiying db migrate-to-postgres`: a SQLite database in use comes out the same on PostgreSQL, ids and all. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { migrateToPostgres } from '../../src/store/migrate-to-postgres.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { dropSchema, testPostgres, testSchema } from '../support/postgres.ts';
import { at, caseFor, createStaff, inbound } from './contract/fixtures.ts';

const url = await testPostgres('migrate-to-postgres');
const dir = mkdtempSync(join(tmpdir(), 'huiying-migrate-'));
const schemas: string[] = [];
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const schema of schemas.splice(0)) await dropSchema(url, schema);
});

/** A SQLite database with a day of use in it: messages, a case with a note, staff (one inactive), an outbox item, a draft, a rating. */
async function usedDatabase(file: string): Promise<void> {
  const store = new SqliteStore(file);
  try {
    await store.write(async () => {
      await store.messages.saveInbound(inbound({ platformMessageId: 'u-1' }));
      await store.messages.saveOutbound('telegram:42', 'telegram', 'answered', [{ text: '请带身份证', entryId: 'residence-permit' }], at('2025-03-01T08:00:01Z'));
      await store.conversations.save({ id: 'telegram:42', channel: 'telegram', senderId: '42', state: { misses: 1, lang: 'zh' }, createdAt: at('2025-03-01T08:00:00Z'), updatedAt: at('2025-03-01T08:00:01Z') });
      await store.addresses.save('telegram:42', 'telegram', { chatId: 42 });
      await store.demand.record({ conversationId: 'telegram:42', channel: 'telegram', lang: 'zh', text: '护照丢了', reason: 'no_match', candidates: [{ entryId: 'passport', score: 0.3 }], createdAt: at('2025-03-01T08:01:00Z') });
      await store.outbox.add('telegram:42', 'telegram', [{ text: '稍后回复' }], at('2025-03-01T08:02:00Z'));
    });
    const agent = await createStaff(store, 'li');
    const gone = await createStaff(store, 'wang');
    await store.staff.update(gone.id, { active: false });
    const { escalation } = await store.escalations.open(caseFor('telegram:42'));
    await store.escalations.update(escalation.id, { assigneeId: agent.id, followUpOpen: true, rating: 'satisfied' });
    await store.notes.add(escalation.id, agent.id, '已电话联系', at('2026-12-01T03:00:00Z'));
    await store.faqDrafts.add({ escalationId: escalation.id, department: 'general', lang: 'zh', title: '护照补办', questions: ['护照丢了怎么办'], answer: '到出入境大厅办理', createdBy: agent.id }, at('2026-12-01T04:00:00Z'));
  } finally {
    await store.close();
  }
}

/** Everything a user of the store could read back. */
async function readAll(store: Store): Promise<unknown> {
  const escalations = await store.escalations.list({ states: ['pending', 'assigned', 'transferred', 'expired', 'resolved'] });
  return {
    conversation: await store.conversations.get('telegram:42'),
    messages: await store.messages.listByConversation('telegram:42'),
    seen: await store.messages.seen('telegram', 'u-1'),
    address: await store.addresses.get('telegram:42'),
    demand: await store.demand.list(),
    outbox: await store.outbox.pending(),
    staff: await store.staff.list(),
    escalations,
    notes: await store.notes.list(escalations[0]!.id),
    drafts: await store.faqDrafts.list(),
  };
}

describe('db migrate-to-postgres', () => {
  it('copies every table so that the PostgreSQL store reads back what the SQLite store held, and new rows get fresh ids', async () => {
    const file = join(dir, 'used.db');
    await usedDatabase(file);
    const schema = testSchema();
    schemas.push(schema);
    const report = await migrateToPostgres(file, url, { schema });
    expect(report.find((t) => t.table === 'messages')?.rows).toBe(2);
    expect(report.find((t) => t.table === 'staff')?.rows).toBe(2);

    const sqlite = new SqliteStore(file);
    const postgres = await PostgresStore.open(url, { schema });
    try {
      const before = await readAll(sqlite);
      expect(await readAll(postgres)).toEqual(before);
      expect((await postgres.staff.findByName('wang'))?.active).toBe(false);
      // Ids continue after the copied ones instead of colliding with them.
      const next = await postgres.messages.saveInbound(inbound({ text: '还在吗' }));
      expect(next.duplicate).toBe(false);
      expect(next.id).toBeGreaterThan(Math.max(...(await sqlite.messages.listByConversation('telegram:42')).map((m) => m.id)));
      const second = await postgres.escalations.open(caseFor('wechat:o-1', { caseDay: '20261201' }));
      expect(second.escalation.caseNumber).toBe('HY-20261201-0002');
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });

  it('refuses a PostgreSQL database that already holds data, and changes nothing there', async () => {
    const file = join(dir, 'twice.db');
    await usedDatabase(file);
    const schema = testSchema();
    schemas.push(schema);
    await migrateToPostgres(file, url, { schema });
    await expect(migrateToPostgres(file, url, { schema })).rejects.toThrow(/already holds data \(\w+: \d+ rows\)/);
    const postgres = await PostgresStore.open(url, { schema });
    try {
      expect(await postgres.messages.listByConversation('telegram:42')).toHaveLength(2);
    } finally {
      await postgres.close();
    }
  });

  it('runs as a command: copies into DATABASE_URL and says what it copied; without a PostgreSQL to copy into it says what to set', async () => {
    const file = join(dir, 'cli.db');
    await usedDatabase(file);
    const schema = testSchema();
    schemas.push(schema);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const target = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const ok = await cli(['db', 'migrate-to-postgres', '--from', file], { DATABASE_URL: target });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/messages: 2 rows/);
    expect(ok.stdout).toMatch(/copied \d+ tables, \d+ rows, from .*cli\.db into PostgreSQL/);

    const missing = await cli(['db', 'migrate-to-postgres', '--from', file], {});
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/set DATABASE_URL or pass --to/);

    const noFile = await cli(['db', 'migrate-to-postgres', '--from', join(dir, 'nothing.db')], { DATABASE_URL: target });
    expect(noFile.code).not.toBe(0);
    expect(noFile.stderr).toMatch(/no SQLite database at .*nothing\.db/);
  });
});

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const { DATABASE_URL: _ignored, ...rest } = process.env;
    execFile('node', ['bin/huiying.js', ...args], { env: { ...rest, LOG_LEVEL: 'silent', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
