import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it, expect } from 'vitest';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { MIGRATIONS } from '../src/store/sqlite/migrations.ts';
import type { IncomingMessage, Reply } from '../src/core/message.ts';
import type { ConversationRecord } from '../src/core/ports.ts';

const open: SqliteStore[] = [];

function dbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'huiying-store-')), 'nested', 'huiying.db');
}

function openStore(path: string): SqliteStore {
  const store = new SqliteStore(path);
  open.push(store);
  return store;
}

afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

function inbound(overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    channel: 'telegram',
    conversationId: 'telegram:42',
    senderId: '42',
    text: '居住证怎么办',
    time: new Date('2025-03-01T08:00:00Z'),
    ...overrides,
  };
}

function migrationRows(store: SqliteStore): Array<{ version: number; applied_at: number }> {
  return store.db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all() as Array<{
    version: number;
    applied_at: number;
  }>;
}

describe('SqliteStore: migrations', () => {
  it('creates the tables in a new file, including missing parent folders', async () => {
    const store = openStore(dbPath());
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    expect(tables).toEqual(expect.arrayContaining(['conversations', 'messages', 'demand_signals', 'schema_migrations']));
    expect(migrationRows(store).map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await store.writeProblem()).toBeNull();
  });

  it('keeps data when the same file is reopened and does not run migrations again', async () => {
    const path = dbPath();
    const first = openStore(path);
    const before = migrationRows(first);
    const saved = await first.messages.saveInbound(inbound({ platformMessageId: 'm1' }));
    await first.conversations.save({
      id: 'telegram:42',
      channel: 'telegram',
      senderId: '42',
      state: { misses: 1, lastEntryId: 'residence-permit' },
      createdAt: new Date(1_000),
      updatedAt: new Date(2_000),
    });
    await first.close();

    const second = openStore(path);
    expect(migrationRows(second)).toEqual(before);
    const messages = await second.messages.listByConversation('telegram:42');
    expect(messages.map((m) => m.id)).toEqual([saved.id]);
    expect(messages[0]!.text).toBe('居住证怎么办');
    expect((await second.conversations.get('telegram:42'))?.state).toEqual({ misses: 1, lastEntryId: 'residence-permit' });
    // The dedupe index survives the reopen too.
    expect((await second.messages.saveInbound(inbound({ platformMessageId: 'm1' }))).duplicate).toBe(true);
  });
});

describe('SqliteStore: inbound messages', () => {
  it('flags the same platform id on the same channel as a duplicate and stores it once', async () => {
    const store = openStore(dbPath());
    const first = await store.messages.saveInbound(inbound({ platformMessageId: 'update-1' }));
    const again = await store.messages.saveInbound(inbound({ platformMessageId: 'update-1', text: 'retry' }));
    expect(first.duplicate).toBe(false);
    expect(first.id).toBeGreaterThan(0);
    expect(again.duplicate).toBe(true);
    const stored = await store.messages.listByConversation('telegram:42');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.text).toBe('居住证怎么办');
  });

  it('does not treat the same platform id on another channel as a duplicate', async () => {
    const store = openStore(dbPath());
    expect((await store.messages.saveInbound(inbound({ platformMessageId: '1001' }))).duplicate).toBe(false);
    const other = await store.messages.saveInbound(
      inbound({ channel: 'wechat', conversationId: 'wechat:abc', senderId: 'abc', platformMessageId: '1001' }),
    );
    expect(other.duplicate).toBe(false);
    expect(await store.messages.listByConversation('wechat:abc')).toHaveLength(1);
  });

  it('never counts messages without a platform id as duplicates', async () => {
    const store = openStore(dbPath());
    const a = await store.messages.saveInbound(inbound());
    const b = await store.messages.saveInbound(inbound());
    const c = await store.messages.saveInbound(inbound());
    expect([a.duplicate, b.duplicate, c.duplicate]).toEqual([false, false, false]);
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(await store.messages.listByConversation('telegram:42')).toHaveLength(3);
  });
});

describe('SqliteStore: conversation history', () => {
  const clarify: Reply = {
    text: '您是想问：\n1. 居住证办理\n2. 居住证续签',
    choices: [
      { label: '居住证办理', value: '1' },
      { label: '居住证续签', value: '2' },
    ],
  };
  const answer: Reply = {
    text: '居住证续签请登录网上办事大厅。',
    links: [{ title: '网上办事大厅', url: 'https://example.gov.cn/' }],
    entryId: 'residence-permit-renew',
  };

  it('lists inbound and outbound messages in order with replies round-tripped', async () => {
    const store = openStore(dbPath());
    const t0 = new Date('2025-03-01T08:00:00Z');
    const t1 = new Date('2025-03-01T08:00:01Z');
    await store.messages.saveInbound(inbound({ text: '居住证', time: t0 }));
    await store.messages.saveOutbound('telegram:42', 'telegram', 'clarify', [clarify], t0);
    await store.messages.saveInbound(inbound({ text: '2', time: t1 }));
    await store.messages.saveOutbound('telegram:42', 'telegram', 'answered', [answer, { text: '还有其他问题吗？' }], t1);
    // Another conversation must not leak in.
    await store.messages.saveInbound(inbound({ conversationId: 'telegram:99', senderId: '99', text: 'other' }));

    const list = await store.messages.listByConversation('telegram:42');
    expect(list.map((m) => [m.direction, m.text])).toEqual([
      ['in', '居住证'],
      ['out', clarify.text],
      ['in', '2'],
      ['out', answer.text],
      ['out', '还有其他问题吗？'],
    ]);
    expect(list[0]!.reply).toBeUndefined();
    expect(list[0]!.outcome).toBeUndefined();
    expect(list[1]!.outcome).toBe('clarify');
    expect(list[1]!.reply).toEqual(clarify);
    expect(list[3]!.outcome).toBe('answered');
    expect(list[3]!.reply).toEqual(answer);
    expect(list[3]!.createdAt.getTime()).toBe(t1.getTime());
    expect(list.every((m) => m.conversationId === 'telegram:42' && m.channel === 'telegram')).toBe(true);
  });

  it('returns the most recent messages, still oldest first, when limited', async () => {
    const store = openStore(dbPath());
    for (let i = 1; i <= 5; i++) await store.messages.saveInbound(inbound({ text: `q${i}` }));
    expect((await store.messages.listByConversation('telegram:42', 2)).map((m) => m.text)).toEqual(['q4', 'q5']);
  });

  it('returns an empty list for an unknown conversation', async () => {
    expect(await openStore(dbPath()).messages.listByConversation('nobody')).toEqual([]);
  });
});

describe('SqliteStore: conversations', () => {
  const record = (overrides: Partial<ConversationRecord> = {}): ConversationRecord => ({
    id: 'web:s1',
    channel: 'web',
    senderId: 's1',
    state: { misses: 0, lang: 'en', pendingChoices: ['a', 'b'] },
    createdAt: new Date('2025-03-01T08:00:00Z'),
    updatedAt: new Date('2025-03-01T08:00:00Z'),
    ...overrides,
  });

  it('round-trips a conversation and its state', async () => {
    const store = openStore(dbPath());
    await store.conversations.save(record());
    expect(await store.conversations.get('web:s1')).toEqual(record());
    expect(await store.conversations.get('web:unknown')).toBeUndefined();
  });

  it('updates state and updatedAt on conflict but keeps createdAt', async () => {
    const store = openStore(dbPath());
    await store.conversations.save(record());
    const later = new Date('2025-03-01T09:30:00Z');
    await store.conversations.save(
      record({ state: { misses: 2, lastUnanswered: '怎么办签证' }, createdAt: later, updatedAt: later }),
    );
    const got = (await store.conversations.get('web:s1'))!;
    expect(got.state).toEqual({ misses: 2, lastUnanswered: '怎么办签证' });
    expect(got.updatedAt.getTime()).toBe(later.getTime());
    expect(got.createdAt.getTime()).toBe(new Date('2025-03-01T08:00:00Z').getTime());
    expect(store.db.prepare('SELECT COUNT(*) FROM conversations').pluck().get()).toBe(1);
  });
});

describe('SqliteStore: demand signals', () => {
  it('records signals and lists them newest first, filtered by since', async () => {
    const store = openStore(dbPath());
    const base = {
      conversationId: 'web:s1',
      channel: 'web',
      lang: 'zh' as const,
      reason: 'no_match' as const,
      candidates: [{ entryId: 'residence-permit', score: 0.31 }],
    };
    const id1 = await store.demand.record({ ...base, text: '老问题', createdAt: new Date('2025-01-01T00:00:00Z') });
    const id2 = await store.demand.record({ ...base, text: '新问题', reason: 'ambiguous', createdAt: new Date('2025-03-01T00:00:00Z') });
    const id3 = await store.demand.record({ ...base, text: '最新问题', candidates: [], createdAt: new Date('2025-03-02T00:00:00Z') });
    expect(id2).toBeGreaterThan(id1);

    const all = await store.demand.list();
    expect(all.map((d) => d.id)).toEqual([id3, id2, id1]);
    const old = all.find((d) => d.id === id1)!;
    expect(old).toEqual({ id: id1, ...base, text: '老问题', createdAt: new Date('2025-01-01T00:00:00Z') });
    expect(all.find((d) => d.id === id2)!.reason).toBe('ambiguous');
    expect(all.find((d) => d.id === id3)!.candidates).toEqual([]);

    const recent = await store.demand.list({ since: new Date('2025-03-01T00:00:00Z') });
    expect(recent.map((d) => d.text)).toEqual(['最新问题', '新问题']);
    expect(await store.demand.list({ since: new Date('2026-01-01T00:00:00Z') })).toEqual([]);
    expect((await store.demand.list({ limit: 1 })).map((d) => d.id)).toEqual([id3]);
  });
});

describe('SqliteStore: units of work', () => {
  it('rolls back every write when the function throws', async () => {
    const store = openStore(dbPath());
    await expect(
      store.write(async () => {
        await store.messages.saveInbound(inbound({ text: 'lost' }));
        await store.conversations.save({
          id: 'telegram:42',
          channel: 'telegram',
          senderId: '42',
          state: { misses: 0 },
          createdAt: new Date(),
          updatedAt: new Date(),
        });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.messages.listByConversation('telegram:42')).toEqual([]);
    expect(await store.conversations.get('telegram:42')).toBeUndefined();
  });

  it('commits and returns the value when the function succeeds', async () => {
    const store = openStore(dbPath());
    const result = await store.write(() => store.messages.saveInbound(inbound({ text: 'kept' })));
    expect(result.duplicate).toBe(false);
    expect((await store.messages.listByConversation('telegram:42')).map((m) => m.text)).toEqual(['kept']);
  });
});
