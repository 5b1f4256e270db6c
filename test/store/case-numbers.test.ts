import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewEscalation } from '../../src/handoff/ports.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function newFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'huiying-cases-'));
  dirs.push(dir);
  return join(dir, 'huiying.db');
}

const at = new Date('2026-12-01T02:00:00Z');
const caseFor = (conversationId: string, caseDay = '20261201'): NewEscalation => ({
  conversationId,
  channel: 'web',
  department: 'general',
  trigger: 'asked_for_human',
  question: '我要找人工',
  candidates: [],
  createdAt: at,
  dueAt: new Date(at.getTime() + 3_600_000),
  caseDay,
});

describe('case numbers', () => {
  it('count up per local day and start again at 0001 on the next day', async () => {
    const store = new SqliteStore(newFile());
    try {
      const numbers: string[] = [];
      for (const c of ['web:a', 'web:b', 'web:c']) numbers.push((await store.escalations.open(caseFor(c))).escalation.caseNumber);
      expect(numbers).toEqual(['HY-20261201-0001', 'HY-20261201-0002', 'HY-20261201-0003']);
      expect((await store.escalations.open(caseFor('web:d', '20261202'))).escalation.caseNumber).toBe('HY-20261202-0001');
      // The open case of a conversation is returned again and takes no number.
      expect((await store.escalations.open(caseFor('web:a'))).created).toBe(false);
      expect((await store.escalations.open(caseFor('web:e'))).escalation.caseNumber).toBe('HY-20261201-0004');
    } finally {
      await store.close();
    }
  });

  it('go on after the highest number of a database written before the counter existed, never reusing one', async () => {
    const file = newFile();
    const old = new SqliteStore(file);
    await old.escalations.open(caseFor('web:a'));
    await old.escalations.open(caseFor('web:b'));
    // A database from before migration 12, with a gap in its numbers (case numbers were COUNT(*) + 1).
    old.db.prepare("UPDATE escalations SET case_number = 'HY-20261201-0007' WHERE conversation_id = 'web:b'").run();
    old.db.exec('DROP TABLE case_counters; DELETE FROM schema_migrations WHERE version = 12;');
    await old.close();

    const upgraded = new SqliteStore(file);
    try {
      expect((await upgraded.escalations.open(caseFor('web:c'))).escalation.caseNumber).toBe('HY-20261201-0008');
      expect((await upgraded.escalations.open(caseFor('web:d', '20261130'))).escalation.caseNumber).toBe('HY-20261130-0001');
    } finally {
      await upgraded.close();
    }
  });
});
