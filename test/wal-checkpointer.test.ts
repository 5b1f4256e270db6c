/** WAL checkpoints on a thread of their own: commits on the main thread never copy pages into the database file. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  while (stores.length > 0) await stores.pop()!.close();
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function openStore(backgroundCheckpoints: boolean): { store: SqliteStore; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'huiying-checkpoint-'));
  dirs.push(dir);
  const path = join(dir, 'huiying.db');
  const store = new SqliteStore(path, { backgroundCheckpoints });
  stores.push(store);
  return { store, path };
}

/** About 6 MB of messages (more than SQLite's 1,000-page automatic checkpoint), in 60 group commits. */
async function writeMessages(store: SqliteStore, prefix: string): Promise<void> {
  for (let batch = 0; batch < 60; batch++) {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.write(() =>
          store.messages.saveInbound({
            channel: 'api',
            conversationId: `${prefix}-${batch}`,
            senderId: `${prefix}-${batch}`,
            text: `${'长'.repeat(600)} ${batch}-${i}`,
            time: new Date(),
            platformMessageId: `${prefix}-${batch}-${i}`,
          }),
        ),
      ),
    );
  }
}

const size = (file: string): number => statSync(file).size;

describe('background WAL checkpoints', () => {
  it('copy committed pages into the database file while the main connection never checkpoints', async () => {
    const { store, path } = openStore(true);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const copied = new Promise<void>((resolve) => store.checkpointer!.on('checkpointed', (wal, done) => wal > 1000 && done === wal && resolve()));
    await writeMessages(store, 'bg');
    await copied;
    // The pages are in the database file itself, readable with the WAL ignored.
    expect(size(path)).toBeGreaterThan(5 * 2 ** 20);
    const wal = size(`${path}-wal`);
    // Checkpointed pages are reused: a second round of writes does not double the WAL.
    await writeMessages(store, 'bg2');
    await new Promise<void>((resolve) => store.checkpointer!.once('checkpointed', () => resolve()));
    expect(size(`${path}-wal`)).toBeLessThan(wal * 1.5 + 2 ** 20);
    await store.close();
    const reopened = new Database(path, { readonly: true });
    expect(reopened.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 6000 });
    reopened.close();
  });

  it('hand checkpoints back to the main connection when their thread stops', async () => {
    const { store } = openStore(true);
    const problems: string[] = [];
    store.checkpointer!.on('problem', (p) => problems.push(p));
    await store.checkpointer!.crash();
    await new Promise((r) => setTimeout(r, 50));
    expect(problems.join()).toMatch(/stopped/);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('keep the process alive while their thread stops, so a shutdown awaiting it goes on to close the database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'huiying-checkpoint-exit-'));
    dirs.push(dir);
    const script = [
      `import { SqliteStore } from ${JSON.stringify(new URL('../src/store/sqlite/sqlite-store.ts', import.meta.url).href)};`,
      `const store = new SqliteStore(${JSON.stringify(join(dir, 'h.db'))}, { backgroundCheckpoints: true });`,
      'await store.checkpointer.stop();',
      'await store.close();',
      "console.log('closed');",
    ].join('\n');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out.trim()).toBe('closed');
  });

  it('are off unless asked for: the main connection keeps checkpointing itself', () => {
    const { store } = openStore(false);
    expect(store.checkpointer).toBeNull();
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
