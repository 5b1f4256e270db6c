/** Graceful shutdown: a request in flight when close() begins still gets its answer, and it is stored. */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Router } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelAdapter, ChannelPlugin } from '../../src/server/channel-adapter.ts';
import { SHARED_MODEL_CACHE } from '../support/paths.ts';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';

/** A channel whose webhook waits (for a gate the test opens) before the message service answers. */
function slowChannel(gate: Promise<void>, entered: () => void): ChannelPlugin {
  return {
    name: 'slow',
    create(_env, deps): ChannelAdapter {
      return {
        name: 'slow',
        capabilities: { buttons: false, richLinks: false, maxTextLength: 2000 },
        send: async () => ({ status: 'sent' }),
        mount(router: Router) {
          router.post('/hook', async (req, res) => {
            entered();
            await gate;
            const body = req.body as { text: string; conversationId: string };
            const result = await deps.service.handle({
              channel: 'slow',
              conversationId: body.conversationId,
              senderId: body.conversationId,
              text: body.text,
              time: new Date(),
            });
            res.json({ outcome: result.outcome, text: result.replies.map((r) => r.text).join('\n') });
          });
          router.get('/hang', () => {
            entered();
            // Never answers: only the shutdown timeout ends it.
          });
        },
      };
    },
  };
}

let server: TestServer | undefined;

afterEach(() => {
  if (server) rmSync(server.dir, { recursive: true, force: true });
  server = undefined;
});

describe('graceful shutdown', () => {
  it('lets a request in flight finish and store its answer, refuses new connections, then closes the database', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let inside = 0;
    server = await startTestServer({ channels: [slowChannel(gate, () => inside++)], config: { SHUTDOWN_TIMEOUT_MS: '10000' } });
    const { url, dir } = server;

    const inFlight = fetch(`${url}/channels/slow/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId: 'shutdown-conv-1', text: '居住证怎么办理' }),
    });
    await eventually(() => (inside === 1 ? true : undefined), 5000, 'the request to arrive');

    const closing = server.close();
    let closed = false;
    void closing.then(() => (closed = true));
    // Draining: no longer ready, new connections refused, the request still waiting.
    await eventually(async () => {
      try {
        await fetch(`${url}/healthz`);
        return undefined;
      } catch {
        return true;
      }
    }, 5000, 'new connections to be refused');
    await new Promise((r) => setTimeout(r, 200));
    expect(closed).toBe(false);

    open();
    const res = await inFlight;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outcome: string; text: string };
    expect(body.outcome).toBe('answered');
    expect(body.text).toContain('居住证');
    await closing;
    expect(server.store.db.open).toBe(false);

    const db = new Database(join(dir, 'test.db'), { readonly: true });
    try {
      const rows = db.prepare("SELECT direction, text FROM messages WHERE conversation_id = 'shutdown-conv-1' ORDER BY id").all() as { direction: string; text: string }[];
      expect(rows[0]).toEqual({ direction: 'in', text: '居住证怎么办理' });
      expect(rows.filter((r) => r.direction === 'out').length).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('cuts a request that outlives SHUTDOWN_TIMEOUT_MS instead of waiting forever', async () => {
    let inside = 0;
    server = await startTestServer({ channels: [slowChannel(Promise.resolve(), () => inside++)], config: { SHUTDOWN_TIMEOUT_MS: '300' } });
    const hanging = fetch(`${server.url}/channels/slow/hang`).then(
      () => 'answered',
      () => 'cut',
    );
    await eventually(() => (inside === 1 ? true : undefined), 5000, 'the request to arrive');
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await hanging).toBe('cut');
    expect(server.store.db.open).toBe(false);
  });

  it('closes idle keep-alive connections at once, and busy ones after their response', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let inside = 0;
    server = await startTestServer({ channels: [slowChannel(gate, () => inside++)] });
    const { request, Agent } = await import('node:http');
    const idleAgent = new Agent({ keepAlive: true });
    const busyAgent = new Agent({ keepAlive: true });
    const call = (agent: InstanceType<typeof Agent>, method: string, path: string, body?: unknown): Promise<{ status: number; connection?: string; closed: Promise<void> }> =>
      new Promise((resolve, reject) => {
        const req = request(`${server!.url}${path}`, { agent, method, headers: { 'content-type': 'application/json' } }, (res) => {
          const socket = res.socket;
          const closed = new Promise<void>((done) => (socket.destroyed ? done() : socket.once('close', () => done())));
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, closed }));
        });
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    const idle = await call(idleAgent, 'GET', '/readyz');
    expect(idle.status).toBe(200);
    expect(idle.connection).toBe('keep-alive');
    const inFlight = call(busyAgent, 'POST', '/channels/slow/hook', { conversationId: 'shutdown-conv-2', text: '你好' });
    await eventually(() => (inside === 1 ? true : undefined), 5000, 'the request to arrive');

    const closing = server.close();
    await idle.closed;
    open();
    const busy = await inFlight;
    expect(busy.status).toBe(200);
    expect(busy.connection).toBe('close');
    await busy.closed;
    await closing;
    idleAgent.destroy();
    busyAgent.destroy();
  });

  it('`huiying serve` shuts down on SIGTERM: logs it, closes the database and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huiying-serve-'));
    try {
      const child = spawn('node', ['bin/huiying.js', 'serve'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', DATABASE_PATH: join(dir, 'h.db'), MODEL_CACHE_DIR: SHARED_MODEL_CACHE, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const url = await eventually(() => /Huiying is running: (http:\/\/\S+?)\/?$/m.exec(output)?.[1], 60_000, 'the server to start');
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; signal?: string });
      expect(lines.find((l) => l.msg.startsWith('signal received'))?.signal).toBe('SIGTERM');
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped: connections closed, database closed', 'shut down cleanly']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
