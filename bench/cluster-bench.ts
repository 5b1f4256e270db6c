/**
 * `npm run bench:cluster`: the same citizen load on one instance and on several instances of one deployment
 * (one SQLite file, one Redis; issue 16), and how long a staff reply typed on one instance takes to reach a
 * widget socket held by another (the live relay).
 *
 * For each instance count: a fresh database, N server processes (`ENGINE_THREADS=auto` each, so on 2 cores
 * every instance has one engine thread), HTTP API messages spread evenly over the instances from this process
 * (autocannon, as fast as they answer), then msg/s, p50/p99, errors, the inbound messages stored (must equal
 * the 2xx answers) and the instances' CPU. "1, no Redis" is the default single instance. Then, with 2 or more
 * instances, `--relays` staff replies posted on the second instance to a widget on the first, timed from the
 * POST to the widget's frame.
 *
 * `--postgres URL`: the rows with Redis run on PostgreSQL (DATABASE_URL, a fresh schema each, dropped after)
 * instead of the SQLite file; the first row stays the default single instance on SQLite, for comparison.
 *
 *   npm run bench:cluster -- [--instances 1,2,3] [--amount 6000] [--connections 48] [--relays 100] [--postgres URL]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { dropSchema, testSchema } from '../test/support/postgres.ts';
import { WidgetClient } from '../test/fakes/web-widget-client.ts';
import { testPrefix } from '../test/support/redis.ts';
import { freePort, startServerProcess, type ServerProcess } from '../test/support/server-process.ts';
import { createStaff, login } from '../test/support/staff-client.ts';
import { runHttpLoad } from './support/http-load.ts';
import { Latencies } from './support/latency.ts';
import { MessageMix } from './support/message-mix.ts';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '1,2,3' },
    amount: { type: 'string', default: '6000' },
    connections: { type: 'string', default: '48' },
    relays: { type: 'string', default: '100' },
    postgres: { type: 'string' },
  },
});
const COUNTS = args.instances.split(',').map(Number);
const AMOUNT = Number(args.amount);
const CONNECTIONS = Number(args.connections);
const RELAYS = Number(args.relays);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The database of one row: how the instances reach it, and how this process seeds and counts it. */
interface RowDatabase {
  name: string;
  env: NodeJS.ProcessEnv;
  open(): Promise<Store>;
  countInbound(): Promise<number>;
  drop(): Promise<void>;
}

function sqliteDatabase(dir: string): RowDatabase {
  const file = join(dir, 'huiying.db');
  return {
    name: 'one SQLite file',
    env: {},
    open: async () => new SqliteStore(file),
    countInbound: async () => {
      const store = new SqliteStore(file);
      try {
        return store.db.prepare("SELECT COUNT(*) FROM messages WHERE direction = 'in'").pluck().get() as number;
      } finally {
        await store.close();
      }
    },
    drop: async () => undefined,
  };
}

function postgresDatabase(url: string): RowDatabase {
  const schema = testSchema();
  return {
    name: 'PostgreSQL',
    env: { DATABASE_URL: `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` },
    open: () => PostgresStore.open(url, { schema }),
    countInbound: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return Number((await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${pg.escapeIdentifier(schema)}.messages WHERE direction = 'in'`)).rows[0]!.n);
      } finally {
        await client.end();
      }
    },
    drop: () => dropSchema(url, schema),
  };
}

async function startInstances(dir: string, count: number, redis: boolean, database: RowDatabase): Promise<ServerProcess[]> {
  const prefix = testPrefix();
  const servers: ServerProcess[] = [];
  for (let i = 0; i < count; i++) {
    servers.push(
      await startServerProcess({
        dir,
        port: await freePort(),
        env: { MODEL_CACHE_DIR: process.env.MODEL_CACHE_DIR ?? 'data/models', ...database.env, ...(redis ? { REDIS_URL, REDIS_PREFIX: prefix, INSTANCE_ID: `bench-${i + 1}` } : {}) },
      }),
    );
  }
  return servers;
}

/** Citizen messages spread evenly over the instances, all at once. */
async function load(servers: ServerProcess[], label: string, database: RowDatabase): Promise<void> {
  const mix = new MessageMix();
  const body = (): string => {
    const m = mix.take();
    return JSON.stringify({ conversationId: m.conversation, text: m.text, messageId: m.messageId });
  };
  // Warm-up, left out: cold code paths and the first garbage of each instance.
  await Promise.all(servers.map((s) => runHttpLoad({ url: s.url, path: '/api/v1/messages', body, connections: 8, amount: 300 })));
  const cpuBefore = servers.map((s) => s.cpuMs());
  const started = performance.now();
  const runs = await Promise.all(
    servers.map((s) => runHttpLoad({ url: s.url, path: '/api/v1/messages', body, connections: Math.max(1, Math.round(CONNECTIONS / servers.length)), amount: Math.round(AMOUNT / servers.length) })),
  );
  const seconds = (performance.now() - started) / 1000;
  const latency = new Latencies();
  for (const r of runs) latency.merge(r.latency);
  const ok = runs.reduce((n, r) => n + r.ok, 0);
  const failed = runs.reduce((n, r) => n + r.non2xx + r.errors, 0);
  const cpu = servers.reduce((n, s, i) => n + (s.cpuMs() - cpuBefore[i]!), 0);
  const inbound = await database.countInbound();
  console.log(
    `${label.padEnd(22)} ${(ok / seconds).toFixed(0).padStart(7)} msg/s   p50 ${latency.percentile(0.5).toFixed(1).padStart(6)} ms   p99 ${latency.percentile(0.99).toFixed(1).padStart(7)} ms   ` +
      `non-2xx/errors ${String(failed).padStart(4)}   stored ${inbound} of ${ok + servers.length * 300} acknowledged   CPU ${(cpu / ok).toFixed(2)} ms/msg`,
  );
}

/** Staff replies typed on instance 2, timed until the widget on instance 1 shows them. */
async function relay(servers: ServerProcess[]): Promise<void> {
  const conversation = `bench-relay-${Date.now()}`.padEnd(20, '0');
  const widget = await WidgetClient.connect(servers[0]!.url, conversation);
  try {
    widget.send({ type: 'message', id: 'r0', text: '转人工' });
    await widget.waitFor((f) => f.type === 'ack' && f.id === 'r0');
    const staff = await login(servers[1]!.url, 'bench-staff');
    const list = await staff.get('/api/v1/escalations');
    const opened = (list.body.escalations as Array<{ id: number; conversationId: string }>).find((e) => e.conversationId === `web:${conversation}`)!;
    await staff.post(`/api/v1/escalations/${opened.id}/claim`);
    const times = new Latencies();
    for (let i = 0; i < RELAYS; i++) {
      const text = `回复 ${i}`;
      const started = performance.now();
      await staff.post(`/api/v1/escalations/${opened.id}/messages`, { text });
      await widget.waitFor((f) => f.type === 'messages' && f.messages.some((m) => m.text === text));
      times.add(performance.now() - started);
    }
    console.log(`staff reply on instance 2 → widget on instance 1: p50 ${times.percentile(0.5).toFixed(1)} ms, p99 ${times.percentile(0.99).toFixed(1)} ms, max ${times.percentile(1).toFixed(1)} ms (${RELAYS} replies; target: within 1 s)`);
  } finally {
    await widget.close();
  }
}

console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; Node ${process.version}`);
console.log(`${AMOUNT} HTTP API messages per row over ${CONNECTIONS} connections, spread evenly over the instances; ${args.postgres ? 'PostgreSQL with Redis (the first row: SQLite)' : 'one SQLite file'}; Redis ${REDIS_URL}\n`);
for (const [count, redis] of [[1, false] as const, ...COUNTS.map((n) => [n, true] as const)]) {
  const dir = mkdtempSync(join(tmpdir(), 'huiying-cluster-bench-'));
  const database = redis && args.postgres ? postgresDatabase(args.postgres) : sqliteDatabase(dir);
  const seed = await database.open();
  await createStaff(seed, 'bench-staff', 'supervisor', []);
  await seed.close();
  const servers = await startInstances(dir, count, redis, database);
  try {
    await load(servers, `${count} instance${count > 1 ? 's' : ''}${redis ? ', Redis' : ', no Redis'}${database.name === 'PostgreSQL' ? ', PG' : ''}`, database);
    if (count >= 2) await relay(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
