/** Group commit: writes become durable together, resolve only once committed, and fail alone. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IncomingMessage } from '../src/core/message.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { WriteBatcherOptions } from '../src/store/sqlite/write-batcher.ts';

const open: SqliteStore[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

function openStore(groupCommit?: WriteBatcherOptions): { store: SqliteStore; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'huiying-batch-')), 'huiying.db');
  const store = new SqliteStore(path, { groupCommit });
  open.push(store);
  return { store, path };
}

const message = (id: string): IncomingMessage => ({
  channel: 'api',
  conversationId: 'conv-batch-1',
  senderId: 'conv-batch-1',
  text: `问题 ${id}`,
  time: new Date('2026-01-05T08:00:00Z'),
  platformMessageId: id,
});

/** What another process reading the file sees (only committed data). */
function committedIds(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT platform_message_id FROM messages WHERE direction = 'in' ORDER BY id").pluck().all() as string[];
  } finally {
    db.close();
  }
}

describe('group commit (store.write)', () => {
  it('commits writes issued together in one transaction, and resolves only once another reader sees them', async () => {
    const { store, path } = openStore();
    const writes = Array.from({ length: 50 }, (_, i) => store.write(() => store.messages.saveInbound(message(`m${i}`))));
    expect(committedIds(path)).toEqual([]);
    const results = await Promise.all(writes);
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(committedIds(path)).toHaveLength(50);
    expect(store.batcher.stats.batches).toBe(1);
  });

  it('rolls back a failing unit alone; the others of its batch commit', async () => {
    const { store, path } = openStore();
    const good = store.write(() => store.messages.saveInbound(message('good-1')));
    const bad = store.write(async () => {
      await store.messages.saveInbound(message('bad-1'));
      await store.messages.saveInbound(message('bad-2'));
      throw new Error('refused');
    });
    const nested = store.write(() => store.write(() => store.messages.saveInbound(message('good-2'))));
    await expect(bad).rejects.toThrow('refused');
    await Promise.all([good, nested]);
    expect(committedIds(path)).toEqual(['good-1', 'good-2']);
    expect(store.batcher.stats.batches).toBe(1);
  });

  it('is busy while a batch transaction is open, and idle() resolves once it ended', async () => {
    const { store, path } = openStore();
    expect(store.batcher.busy).toBe(false);
    await store.batcher.idle();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const running = new Promise<void>((resolve) => (entered = resolve));
    const unit = store.write(async () => {
      await store.messages.saveInbound(message('held'));
      entered();
      await held;
    });
    await running;
    expect(store.batcher.busy).toBe(true);
    let idle = false;
    const waiting = store.batcher.idle().then(() => (idle = true));
    await new Promise((r) => setTimeout(r, 20));
    expect([idle, committedIds(path)]).toEqual([false, []]);
    release();
    await waiting;
    expect(store.batcher.busy).toBe(false);
    expect(committedIds(path)).toEqual(['held']);
    await unit;
  });

  it('reports a platform retry in the same batch as a duplicate', async () => {
    const { store } = openStore();
    const [first, retry] = await Promise.all([
      store.write(() => store.messages.saveInbound(message('same'))),
      store.write(() => store.messages.saveInbound(message('same'))),
    ]);
    expect([first.duplicate, retry.duplicate]).toEqual([false, true]);
    expect(await store.messages.seen('api', 'same')).toBe(true);
  });

  it('commits what is queued when the store closes, and refuses writes after', async () => {
    const { store, path } = openStore();
    const queued = store.write(() => store.messages.saveInbound(message('last')));
    await store.close();
    await expect(queued).resolves.toMatchObject({ duplicate: false });
    expect(committedIds(path)).toEqual(['last']);
    await expect(store.write(() => Promise.resolve(1))).rejects.toThrow('closed');
  });

  it('acknowledges a batch only after its WAL reached the disk; writes arriving meanwhile commit together when it ends', async () => {
    const syncs: Array<(error: Error | null) => void> = [];
    const { store, path } = openStore({ syncWal: (done) => syncs.push(done) });
    let acknowledged = 0;
    const first = store.write(() => store.messages.saveInbound(message('s1'))).then(() => acknowledged++);
    await new Promise((r) => setTimeout(r, 20));
    // Committed (another reader sees it) but not yet durable: not acknowledged.
    expect(committedIds(path)).toEqual(['s1']);
    expect(syncs).toHaveLength(1);
    const more = ['s2', 's3'].map((id) => store.write(() => store.messages.saveInbound(message(id))).then(() => acknowledged++));
    await new Promise((r) => setTimeout(r, 20));
    expect(committedIds(path)).toEqual(['s1']);
    expect([acknowledged, syncs.length]).toEqual([0, 1]);
    syncs[0]!(null);
    await first;
    expect(acknowledged).toBe(1);
    // The units that arrived meanwhile commit as one batch as soon as the sync ended, then wait for their own sync.
    await vi.waitFor(() => expect(syncs).toHaveLength(2));
    expect(committedIds(path)).toEqual(['s1', 's2', 's3']);
    expect(store.batcher.stats.batches).toBe(2);
    await new Promise((r) => setTimeout(r, 20));
    expect([acknowledged, syncs.length]).toEqual([1, 2]);
    syncs[1]!(null);
    await Promise.all(more);
    expect(acknowledged).toBe(3);
  });

  it('fails the units of a batch whose WAL sync failed, so no channel acknowledges them', async () => {
    const { store } = openStore({ syncWal: (done) => done(new Error('EIO: i/o error, fsync')) });
    await expect(store.write(() => store.messages.saveInbound(message('lost')))).rejects.toThrow('EIO');
  });
});
