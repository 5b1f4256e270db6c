/** /readyz and /metrics on a real server over real HTTP. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReadiness } from '../../src/ops/readiness.ts';
import { databaseProblem } from '../../src/store/sqlite/write-probe.ts';
import type { MessageService } from '../../src/core/message-service.ts';
import { FakeClock, startTestServer, type TestServer } from '../support/test-server.ts';

const ask = async (server: TestServer, text: string, conversationId: string): Promise<{ outcome: string }> => {
  const res = await fetch(`${server.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ conversationId, text }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { outcome: string };
};

/** The value of one series in Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('/readyz', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is 200 with its checks while the database is writable and a model is loaded', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'ready', ready: true, checks: { database: 'ok', model: 'ok', shutdown: 'ok' } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('is 503 with the reason once the database cannot be written (here: closed)', async () => {
    server.store.db.close();
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; reason: string; checks: { database: string; model: string } };
    expect(body.status).toBe('not_ready');
    expect(body.reason).toContain('database is closed');
    expect(body.checks.model).toBe('ok');
    // Liveness is a different question: the process still answers.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('the database write probe', () => {
  it('finds a read-only database and leaves a writable one unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'huiying-ready-'));
    try {
      const file = join(dir, 'x.db');
      const rw = new Database(file);
      rw.exec('CREATE TABLE t (x)');
      expect(databaseProblem(rw)).toBeNull();
      expect(rw.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'readiness_probe'").pluck().get()).toBe(0);
      rw.close();
      const ro = new Database(file, { readonly: true });
      expect(databaseProblem(ro)).toBe('database is read-only');
      ro.close();
      expect(databaseProblem(ro)).toBe('database is closed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the readiness checks', () => {
  it('names every problem: a store that cannot write, an empty knowledge base, a shutdown', async () => {
    const service = (entries: number) => ({ knowledgeBase: { entries: Array.from({ length: entries }) } }) as unknown as MessageService;
    const store = (writable: boolean) => ({ writeProblem: async () => (writable ? null : 'database is not writable') });
    expect(await checkReadiness({ store: store(true), service: service(3) })).toEqual({ ready: true, checks: { database: 'ok', model: 'ok', shutdown: 'ok' } });
    const bad = await checkReadiness({ store: store(false), service: service(0), draining: () => true });
    expect(bad.ready).toBe(false);
    expect(bad.reason).toBe('database is not writable; the knowledge base has no entries; shutting down');
  });
});

describe('/metrics', () => {
  let server: TestServer;
  const clock = new FakeClock(new Date('2026-11-25T10:00:00+08:00'));
  beforeAll(async () => {
    server = await startTestServer({ now: clock.now });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('counts messages by channel and outcome, times answers, and reports the model and process', async () => {
    expect((await ask(server, '居住证怎么办理', 'metrics-conv-0001')).outcome).toBe('answered');
    expect((await ask(server, '量子计算机原理是什么', 'metrics-conv-0002')).outcome).toBe('unanswered');
    expect((await ask(server, '居住证怎么办理', 'metrics-conv-0003')).outcome).toBe('answered');
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(sample(text, 'huiying_messages_total', { channel: 'api', outcome: 'answered' })).toBe(2);
    expect(sample(text, 'huiying_messages_total', { channel: 'api', outcome: 'unanswered' })).toBe(1);
    expect(sample(text, 'huiying_answer_duration_seconds_count', { channel: 'api' })).toBe(3);
    expect(sample(text, 'huiying_answer_duration_seconds_bucket', { channel: 'api', le: '+Inf' })).toBe(3);
    // The repeated question was analysed once.
    expect(sample(text, 'huiying_engine_analyses', { source: 'computed' })).toBe(2);
    expect(sample(text, 'huiying_engine_analyses', { source: 'memory' })).toBe(1);
    // Each answer waited for a WAL sync, and the disk's time for them is on record.
    expect(sample(text, 'huiying_store_sync_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'huiying_store_sync_seconds_sum')).toBeGreaterThan(0);
    expect(sample(text, 'huiying_demand_signals_total', { reason: 'no_match' })).toBe(1);
    expect(sample(text, 'huiying_model_training_seconds')).toBeGreaterThan(0);
    expect(sample(text, 'huiying_model_from_cache')).toBe(1);
    // A single instance (no REDIS_URL) has no Redis to report.
    expect(text).not.toContain('huiying_redis_up');
    expect(sample(text, 'huiying_knowledge_entries')).toBe(server.service.knowledgeBase.entries.length);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(sample(text, 'huiying_escalations_open', { department: 'general', state: 'pending' })).toBe(0);
  });

  it('shows an escalation after 转人工: open by department, overdue past its due time, and the queue age', async () => {
    await ask(server, '居住证怎么办理', 'metrics-conv-0003');
    await ask(server, '转人工', 'metrics-conv-0003');
    const open = await server.store.escalations.findOpen('metrics-conv-0003');
    expect(open?.state).toBe('pending');
    const department = open!.department;

    let text = await (await fetch(`${server.url}/metrics`)).text();
    expect(sample(text, 'huiying_escalations_open', { department, state: 'pending' })).toBe(1);
    expect(sample(text, 'huiying_escalations_overdue', { department })).toBe(0);
    expect(sample(text, 'huiying_escalation_changes_total', { state: 'pending' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'huiying_messages_total', { channel: 'api', outcome: 'escalated' })).toBe(1);

    // Past its response target (business minutes; a working-day morning here) and an hour in the queue.
    clock.set(new Date(open!.dueAt.getTime() + 60_000));
    const age = (clock.now().getTime() - open!.createdAt.getTime()) / 1000;
    text = await (await fetch(`${server.url}/metrics`)).text();
    expect(sample(text, 'huiying_escalations_overdue', { department })).toBe(1);
    expect(sample(text, 'huiying_queue_oldest_age_seconds', { department })).toBeCloseTo(age, 0);
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  let server: TestServer;
  const token = 'metrics-token-for-tests-0123456789';
  beforeAll(async () => {
    server = await startTestServer({ config: { METRICS_TOKEN: token } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers 401 without the bearer token or with a wrong one, 200 with it', async () => {
    const none = await fetch(`${server.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(await none.text()).not.toContain('huiying_');
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: token } })).status).toBe(401);
    const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('huiying_messages_total');
    // Readiness needs no token (load balancers).
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('rejects a token shorter than 16 characters at start', async () => {
    await expect(startTestServer({ config: { METRICS_TOKEN: 'short' } })).rejects.toThrow(/METRICS_TOKEN/);
  });
});
