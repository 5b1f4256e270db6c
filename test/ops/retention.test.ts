/** Data retention on a seeded database with a fake clock: old text goes, recent text and the figures stay. */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { DELETED_TEXT, scheduleRetention } from '../../src/ops/retention.ts';
import { SqliteRetention } from '../../src/store/sqlite/retention-repository.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { SHARED_MODEL_CACHE } from '../support/paths.ts';
import { FakeClock, startTestServer, type TestServer } from '../support/test-server.ts';

const DAY = 86_400_000;
const run = promisify(execFile);

let server: TestServer | undefined;
afterEach(async () => {
  if (server) {
    if (server.store.db.open) await server.close();
    rmSync(server.dir, { recursive: true, force: true });
  }
  server = undefined;
});

async function say(s: TestServer, conversationId: string, text: string): Promise<string> {
  const res = await fetch(`${s.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ conversationId, text }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { outcome: string }).outcome;
}

const OLD = 'old-conv-0001';
const OLD_HELD = 'old-held-0002';
const OLD_CLOSED = 'old-closed-0003';
const NEW = 'new-conv-0004';

/**
 * Real traffic through the API, then the first three conversations moved 100 days into the past:
 * OLD (an answer, a miss, a phone number), OLD_HELD (an open case), OLD_CLOSED (a resolved case with a note), NEW.
 */
async function seed(s: TestServer): Promise<void> {
  expect(await say(s, OLD, '居住证怎么办理')).toBe('answered');
  expect(await say(s, OLD, '量子计算机原理是什么')).toBe('unanswered');
  await say(s, OLD, '我的手机号是13812345678，请回电');
  await say(s, OLD_HELD, '居住证怎么办理');
  expect(await say(s, OLD_HELD, '转人工')).toBe('escalated');
  await say(s, OLD_CLOSED, '社保卡怎么办理');
  expect(await say(s, OLD_CLOSED, '转人工')).toBe('escalated');
  await say(s, NEW, '居住证怎么办理');
  await say(s, NEW, '量子计算机原理是什么');

  const db = s.store.db;
  const closed = (await s.store.escalations.findOpen(OLD_CLOSED))!;
  const staff = await s.store.staff.create({ name: 'agent1', displayName: '李明', role: 'agent', departments: [], passwordHash: 'x' });
  await s.store.notes.add(closed.id, staff.id, '市民说身份证号是110101199003071234', new Date());
  db.prepare("UPDATE escalations SET state = 'resolved', resolved_at = ?, rating = 'satisfied', rating_comment = '很好，谢谢李明' WHERE id = ?").run(Date.now(), closed.id);
  await s.store.outbox.add(OLD, 'api', [{ text: '人工客服：已为您登记' }], new Date());
  db.prepare("UPDATE outbox SET status = 'sent'").run();

  const old = [OLD, OLD_HELD, OLD_CLOSED];
  const ago = 100 * DAY;
  const inOld = `IN (${old.map(() => '?').join(', ')})`;
  db.prepare(`UPDATE messages SET created_at = created_at - ? WHERE conversation_id ${inOld}`).run(ago, ...old);
  db.prepare(`UPDATE demand_signals SET created_at = created_at - ? WHERE conversation_id ${inOld}`).run(ago, ...old);
  db.prepare(`UPDATE conversations SET created_at = created_at - ?, updated_at = updated_at - ? WHERE id ${inOld}`).run(ago, ago, ...old);
  db.prepare(`UPDATE channel_addresses SET updated_at = updated_at - ?`).run(ago);
  db.prepare(`UPDATE escalations SET created_at = created_at - ?, due_at = due_at - ?, resolved_at = resolved_at - ? WHERE conversation_id ${inOld}`).run(ago, ago, ago, ...old);
  db.prepare(`UPDATE escalation_notes SET created_at = created_at - ?`).run(ago);
  db.prepare(`UPDATE outbox SET created_at = created_at - ?`).run(ago);
}

type Row = Record<string, unknown>;
const messagesOf = (db: Database.Database, id: string): Row[] => db.prepare('SELECT * FROM messages WHERE conversation_id = ? ORDER BY id').all(id) as Row[];
const demandOf = (db: Database.Database, id: string): Row[] => db.prepare('SELECT * FROM demand_signals WHERE conversation_id = ? ORDER BY id').all(id) as Row[];

/** Demand signals of the three old conversations by reason, before retention. */
function oldDemand(db: Database.Database): Record<string, number> {
  const rows = db
    .prepare('SELECT reason, COUNT(*) AS n FROM demand_signals WHERE conversation_id IN (?, ?, ?) GROUP BY reason')
    .all(OLD, OLD_HELD, OLD_CLOSED) as { reason: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
}

/** Sums of the kept figures by metric over all days, for one channel. */
function totals(db: Database.Database): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of new SqliteRetention(db).dailyStats()) if (r.channel === 'api') out[r.metric] = (out[r.metric] ?? 0) + r.value;
  return out;
}

describe('retention', () => {
  it('anonymise: old text replaced, demand kept masked, open cases untouched, recent kept, figures kept', async () => {
    const clock = new FakeClock(new Date());
    server = await startTestServer({ now: clock.now, config: { RETENTION_DAYS: '30', RETENTION_MODE: 'anonymise' } });
    await seed(server);
    const db = server.store.db;
    const oldInbound = messagesOf(db, OLD).filter((m) => m.direction === 'in').length;
    const newBefore = messagesOf(db, NEW);
    const heldBefore = messagesOf(db, OLD_HELD);
    expect(messagesOf(db, OLD).some((m) => m.sealed_text)).toBe(true);
    const demandBefore = oldDemand(db);
    expect(demandBefore.no_match).toBeGreaterThanOrEqual(1);

    const report = (await server.runRetention())!;
    expect(report.ran).toBe(true);
    expect(report.cutoff!.getTime()).toBe(clock.now().getTime() - 30 * DAY);

    // Old conversation: every text replaced, sealed originals and stored replies gone, outcomes kept.
    const old = messagesOf(db, OLD);
    expect(old.length).toBeGreaterThanOrEqual(6);
    for (const m of old) {
      expect(m.text).toBe(DELETED_TEXT);
      expect(m.reply).toBeNull();
      expect(m.sealed_text ?? null).toBeNull();
      expect(m.sender_id).toBeNull();
    }
    expect(old.filter((m) => m.direction === 'out').map((m) => m.outcome)).toContain('answered');
    // Its demand signal is still there for the demand analysis, masked.
    const demand = demandOf(db, OLD);
    expect(demand.map((d) => d.reason)).toContain('no_match');
    expect(demand.find((d) => d.reason === 'no_match')?.text).toBe('量子计算机原理是什么');
    expect(demand.map((d) => d.text).join(' ')).not.toContain('13812345678');
    // The hash of the client address, for counting repeats, goes with the text; recent signals keep theirs.
    expect(demand.map((d) => d.source_key)).toEqual(demand.map(() => null));
    expect(demandOf(db, NEW)[0]?.source_key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const conversation = db.prepare('SELECT sender_id, state FROM conversations WHERE id = ?').get(OLD) as Row;
    expect(conversation).toEqual({ sender_id: DELETED_TEXT, state: '{"misses":0}' });
    expect(db.prepare('SELECT COUNT(*) FROM channel_addresses WHERE conversation_id = ?').pluck().get(OLD)).toBe(0);

    // The conversation with an open case keeps everything; the recent one too.
    expect(messagesOf(db, OLD_HELD)).toEqual(heldBefore);
    expect(messagesOf(db, NEW)).toEqual(newBefore);
    expect(demandOf(db, NEW).length).toBe(1);

    // The closed case keeps its figures, not its words.
    const closedCase = db.prepare('SELECT * FROM escalations WHERE conversation_id = ?').get(OLD_CLOSED) as Row;
    expect(closedCase).toMatchObject({ question: DELETED_TEXT, rating_comment: null, rating: 'satisfied', state: 'resolved' });
    expect(db.prepare('SELECT text FROM escalation_notes').pluck().all()).toEqual([DELETED_TEXT]);
    const heldCase = db.prepare('SELECT question FROM escalations WHERE conversation_id = ?').pluck().get(OLD_HELD);
    expect(heldCase).not.toBe(DELETED_TEXT);
    expect(db.prepare('SELECT COUNT(*) FROM outbox').pluck().get()).toBe(0);

    // Figures: every old inbound message and answer counted (the open-case conversation's too).
    const kept = totals(db);
    const heldInbound = heldBefore.filter((m) => m.direction === 'in').length;
    const closedInbound = messagesOf(db, OLD_CLOSED).filter((m) => m.direction === 'in').length;
    expect(kept.messages_in).toBe(oldInbound + heldInbound + closedInbound);
    expect(kept.outcome_answered).toBeGreaterThanOrEqual(3);
    expect(kept.outcome_unanswered).toBeGreaterThanOrEqual(1);
    expect(kept.outcome_escalated).toBe(2);
    expect(kept.demand_no_match).toBe(demandBefore.no_match);
    expect(kept.demand_asked_for_human).toBe(demandBefore.asked_for_human);
    const day = new Date(Date.now() - 100 * DAY + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(new SqliteRetention(db).dailyStats().map((r) => r.day)).toContain(day);

    // The history API still works on an anonymised conversation.
    const history = (await (await fetch(`${server.url}/api/v1/conversations/${OLD}/messages`)).json()) as { messages: { text: string }[] };
    expect(history.messages.every((m) => m.text === DELETED_TEXT)).toBe(true);

    // A second run changes nothing and counts nothing twice.
    const again = (await server.runRetention())!;
    expect(again).toMatchObject({ messages: 0, conversations: 0, cases: 0, notes: 0, outbox: 0, addresses: 0 });
    expect(totals(db)).toEqual(kept);

    // Once the open case is closed, a later run takes that conversation too.
    db.prepare("UPDATE escalations SET state = 'resolved', resolved_at = ? WHERE conversation_id = ?").run(Date.now() - 100 * DAY, OLD_HELD);
    clock.advanceMinutes(24 * 60);
    await server.runRetention();
    expect(messagesOf(db, OLD_HELD).every((m) => m.text === DELETED_TEXT)).toBe(true);
    expect(totals(db)).toEqual(kept);
    expect(messagesOf(db, NEW)).toEqual(newBefore);
  });

  it('delete: old rows removed, demand signals too, figures kept; RETENTION_DAYS=0 keeps everything', async () => {
    server = await startTestServer({ config: { RETENTION_DAYS: '30', RETENTION_MODE: 'delete' } });
    await seed(server);
    const db = server.store.db;
    const newBefore = messagesOf(db, NEW);
    const demandBefore = oldDemand(db);
    const report = (await server.runRetention())!;
    expect(report.messages).toBeGreaterThanOrEqual(10);
    expect(messagesOf(db, OLD)).toEqual([]);
    expect(messagesOf(db, OLD_CLOSED)).toEqual([]);
    expect(demandOf(db, OLD)).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) FROM conversations WHERE id = ?').pluck().get(OLD)).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM escalation_notes').pluck().get()).toBe(0);
    expect(messagesOf(db, OLD_HELD).length).toBeGreaterThan(0);
    expect(messagesOf(db, NEW)).toEqual(newBefore);
    const kept = totals(db);
    expect(kept.demand_no_match).toBe(demandBefore.no_match);
    expect(kept.outcome_escalated).toBe(2);
    // Deleted content is not left readable in the file.
    await server.close();
    const raw = (await import('node:fs')).readFileSync(join(server.dir, 'test.db'));
    expect(raw.includes(Buffer.from('市民说身份证号'))).toBe(false);
    expect(raw.includes(Buffer.from('很好，谢谢李明'))).toBe(false);

    const off = new SqliteStore(':memory:');
    const { runRetention } = await import('../../src/ops/retention.ts');
    expect((await runRetention(off, { days: 0, mode: 'delete' })).ran).toBe(false);
    await off.close();
  });

  it('`huiying retention run` does the same from the command line', async () => {
    server = await startTestServer({});
    await seed(server);
    const demandBefore = oldDemand(server.store.db);
    await server.close();
    const env = { ...process.env, DATABASE_PATH: join(server.dir, 'test.db'), MODEL_CACHE_DIR: SHARED_MODEL_CACHE, RETENTION_DAYS: '0', LOG_LEVEL: 'silent' };
    const kept = await run('node', ['bin/huiying.js', 'retention', 'run'], { env });
    expect(kept.stdout).toContain('RETENTION_DAYS is 0');
    const done = await run('node', ['bin/huiying.js', 'retention', 'run', '--days', '30', '--mode', 'anonymise'], { env });
    expect(done.stdout).toMatch(/retention \(anonymise, older than 30 days/);
    expect(done.stdout).toMatch(/messages \d+/);
    const db = new Database(join(server.dir, 'test.db'), { readonly: true });
    try {
      expect(messagesOf(db, OLD).every((m) => m.text === DELETED_TEXT)).toBe(true);
      expect(messagesOf(db, NEW).some((m) => m.text === '居住证怎么办理')).toBe(true);
      expect(totals(db).demand_no_match).toBe(demandBefore.no_match);
    } finally {
      db.close();
    }
  });

  it('the server job runs on its own schedule (timers unref’d) and logs failures instead of throwing', async () => {
    const store = new SqliteStore(':memory:');
    const runs: unknown[] = [];
    const logger = { info: (o: unknown) => runs.push(o), error: (o: unknown) => runs.push({ error: o }) };
    const job = scheduleRetention(store, { days: 30, mode: 'anonymise', logger, firstRunMs: 10, everyMs: 30 });
    await new Promise((r) => setTimeout(r, 120));
    job.stop();
    const count = runs.length;
    expect(count).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 80));
    expect(runs.length).toBe(count);
    await store.close();
    expect(await job.run()).toBeNull();
    const silent = scheduleRetention(store, { days: 0, mode: 'anonymise', logger: createLogger('silent') });
    silent.stop();
  });
});
