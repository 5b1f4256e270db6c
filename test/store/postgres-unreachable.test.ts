/**
 * A server whose PostgreSQL cannot be reached at start says so and waits for it (no exit, so no restart loop),
 * starts once it answers, stops at once on SIGTERM while it waits, and reports a database lost mid-run in /readyz.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SHARED_MODEL_CACHE } from '../support/paths.ts';
import { dropSchema, testPostgres, testSchema } from '../support/postgres.ts';
import { freePort, startServerProcess } from '../support/server-process.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { eventually } from '../support/test-server.ts';

const url = await testPostgres('a server waiting for PostgreSQL');
const target = new URL(url);
const dir = mkdtempSync(join(tmpdir(), 'huiying-pg-wait-'));
const schema = testSchema();
afterAll(async () => {
  await dropSchema(url, schema);
  rmSync(dir, { recursive: true, force: true });
});

/** DATABASE_URL through `port` (the proxy), into the test's schema. */
const through = (port: number, password = ''): string => {
  const u = new URL(url);
  u.port = String(port);
  if (password) u.password = password;
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
};

describe('a server whose PostgreSQL is unreachable', () => {
  it('waits instead of exiting, starts once PostgreSQL answers, and reports it lost mid-run in /readyz', { timeout: 120_000 }, async () => {
    await (await PostgresStore.open(url, { schema })).close();
    const proxy = await TcpProxy.start(await freePort(), { host: target.hostname, port: Number(target.port || 5432) });
    await proxy.down();
    const starting = startServerProcess({ dir, port: await freePort(), env: { DATABASE_URL: through(proxy.port, 'secret-pw'), MODEL_CACHE_DIR: SHARED_MODEL_CACHE, ENGINE_THREADS: '0' }, readyTimeoutMs: 90_000 });
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await proxy.up();
    const server = await starting;
    try {
      const ask = await fetch(`${server.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conversationId: 'pg-wait-0001', text: '居住证怎么办理' }) });
      expect(ask.status).toBe(200);

      await proxy.down();
      const notReady = await eventually(async () => {
        const r = await fetch(`${server.url}/readyz`);
        return r.status === 503 ? ((await r.json()) as { checks: { database: string } }) : undefined;
      }, 15_000, 'readiness to notice the database is gone');
      expect(notReady.checks.database).not.toBe('ok');
      await proxy.up();
      await eventually(async () => ((await fetch(`${server.url}/readyz`)).status === 200 ? true : undefined), 15_000, 'readiness once the database is back');
    } finally {
      await server.stop();
      await proxy.down();
    }
  });

  it('says why it waits (the password hidden), and stops at once on SIGTERM meanwhile', { timeout: 60_000 }, async () => {
    const child = spawn('node', ['bin/huiying.js', 'serve'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(await freePort()), DATABASE_PATH: join(dir, 'huiying.db'), DATABASE_URL: through(await freePort(), 'secret-pw'), LOG_LEVEL: 'warn', MODEL_CACHE_DIR: SHARED_MODEL_CACHE, ENGINE_THREADS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await eventually(() => (log.includes('waiting for the database') ? true : undefined), 30_000, 'the waiting message');
    expect(log).toMatch(/cannot open PostgreSQL at postgres:\/\/[^"]*\*\*\*@127\.0\.0\.1:\d+[^"]*\(DATABASE_URL\): connect ECONNREFUSED/);
    expect(log).not.toMatch(/secret-pw/);
    const signalled = Date.now();
    child.kill('SIGTERM');
    await exited;
    expect(Date.now() - signalled).toBeLessThan(5_000);
  });
});
