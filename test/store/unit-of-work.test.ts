/**
 * Ambient units of work on a real SQLite file: `store.write` groups the repository calls made in its async
 * context; calls made outside any unit never join a batch transaction that happens to be open.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../src/core/message.ts';
import type { ConversationRecord } from '../../src/core/ports.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const open: SqliteStore[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

function openStore(): { store: SqliteStore; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'huiying-unit-')), 'huiying.db');
  const store = new SqliteStore(path);
  open.push(store);
  return { store, path };
}

const message = (id: string, conversationId = 'api:unit-1'): IncomingMessage => ({
  channel: 'api',
  conversationId,
  senderId: conversationId,
  text: `问题 ${id}`,
  time: new Date('2026-01-05T08:00:00Z'),
  platformMessageId: id,
});

const conversation = (id: string): ConversationRecord => ({
  id,
  channel: 'api',
  senderId: id,
  state: { misses: 3 },
  createdAt: new Date('2026-01-05T08:00:00Z'),
  updatedAt: new Date('2026-01-05T08:00:00Z'),
});

/** What another connection reading the file sees (only committed data). */
function committed(path: string): { messages: string[]; conversations: string[] } {
  const db = new Database(path, { readonly: true });
  try {
    return {
      messages: db.prepare("SELECT platform_message_id FROM messages WHERE direction = 'in' ORDER BY id").pluck().all() as string[],
      conversations: db.prepare('SELECT id FROM conversations ORDER BY id').pluck().all() as string[],
    };
  } finally {
    db.close();
  }
}

/** A promise the test settles by hand, to hold a unit (and so its batch transaction) open. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

describe('units of work (store.write)', () => {
  it('makes a repository call from outside any unit wait for the open batch, and keeps it out of that batch’s rollback', async () => {
    const { store, path } = openStore();
    const entered = gate();
    const release = gate();
    const good = store.write(() => store.messages.saveInbound(message('good')));
    const failing = store.write(async () => {
      await store.messages.saveInbound(message('failing'));
      entered.open();
      await release.promise;
      throw new Error('refused');
    });
    await entered.promise;
    expect(store.batcher.busy).toBe(true);

    // Outside any unit while the batch transaction is open (inside the failing unit's savepoint).
    let outsideDone = false;
    const outside = store.messages.saveInbound(message('outside', 'api:unit-2')).then((saved) => {
      outsideDone = true;
      return saved;
    });
    let readDone = false;
    const read = store.messages.seen('api', 'failing').then((seen) => {
      readDone = true;
      return seen;
    });
    await tick();
    expect([outsideDone, readDone]).toEqual([false, false]);

    release.open();
    await expect(failing).rejects.toThrow('refused');
    await good;
    expect((await outside).duplicate).toBe(false);
    // The read ran after the batch: it sees the failing unit rolled back, not its uncommitted write.
    expect(await read).toBe(false);
    expect(committed(path).messages).toEqual(['good', 'outside']);
    expect(store.batcher.stats.batches).toBe(1);
    expect(await store.messages.seen('api', 'outside')).toBe(true);
  });

  it('rolls back the earlier writes of a unit whose later step throws, while the other units of its batch commit', async () => {
    const { store, path } = openStore();
    const before = store.write(() => store.messages.saveInbound(message('before', 'api:other')));
    const failing = store.write(async () => {
      await store.messages.saveInbound(message('first-step'));
      await store.conversations.save(conversation('api:unit-1'));
      expect(await store.messages.seen('api', 'first-step')).toBe(true);
      throw new Error('third step failed');
    });
    const after = store.write(async () => {
      await store.conversations.save(conversation('api:other'));
      return store.messages.saveInbound(message('after', 'api:other'));
    });
    await expect(failing).rejects.toThrow('third step failed');
    await Promise.all([before, after]);
    expect(store.batcher.stats.batches).toBe(1);

    expect(committed(path)).toEqual({ messages: ['before', 'after'], conversations: ['api:other'] });
    expect(await store.messages.listByConversation('api:unit-1')).toEqual([]);
    expect(await store.conversations.get('api:unit-1')).toBeUndefined();
    expect(await store.messages.seen('api', 'first-step')).toBe(false);
    expect((await store.conversations.get('api:other'))?.state).toEqual({ misses: 3 });
  });

  it('joins a write made inside a unit to that unit: it commits with it, and rolls back with it', async () => {
    const { store, path } = openStore();
    const kept = await store.write(async () => {
      const inner = await store.write(() => store.messages.saveInbound(message('inner-kept')));
      await store.messages.saveInbound(message('outer-kept'));
      return inner;
    });
    expect(kept.duplicate).toBe(false);
    expect(store.batcher.stats.batches).toBe(1);

    let innerResolved = false;
    const lost = store.write(async () => {
      await store.write(async () => {
        await store.messages.saveInbound(message('inner-lost'));
        await store.conversations.save(conversation('api:unit-1'));
      });
      innerResolved = true;
      await store.messages.saveInbound(message('outer-lost'));
      throw new Error('outer failed');
    });
    await expect(lost).rejects.toThrow('outer failed');
    // The inner write resolved inside the unit (it did not wait for a batch of its own), yet nothing of it stayed.
    expect(innerResolved).toBe(true);
    expect(store.batcher.stats.batches).toBe(2);
    expect(committed(path)).toEqual({ messages: ['inner-kept', 'outer-kept'], conversations: [] });
    expect(await store.messages.seen('api', 'inner-lost')).toBe(false);
    expect(await store.conversations.get('api:unit-1')).toBeUndefined();
  });

  it('resolves a unit only after its batch committed', async () => {
    const { store, path } = openStore();
    const release = gate();
    let finishedRunning = false;
    let seenAtResolve: string[] | undefined;
    const quick = store
      .write(async () => {
        await store.messages.saveInbound(message('quick'));
        finishedRunning = true;
      })
      .then(() => (seenAtResolve = committed(path).messages));
    // A second unit of the same batch keeps the batch transaction open after the first one finished.
    const slow = store.write(async () => {
      await store.messages.saveInbound(message('slow'));
      await release.promise;
    });
    await tick();
    expect(finishedRunning).toBe(true);
    expect(seenAtResolve).toBeUndefined();
    expect(committed(path).messages).toEqual([]);

    release.open();
    await Promise.all([quick, slow]);
    expect(seenAtResolve).toEqual(['quick', 'slow']);
    expect(store.batcher.stats.batches).toBe(1);
  });
});
