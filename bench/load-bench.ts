/**
 * `npm run bench:load`: starts the server (a child process, temp database, `synchronous=FULL`, rate limits
 * off, Telegram in webhook mode against a fake Bot API) and a bare express JSON echo, drives them from this
 * process, and prints messages/s, p50/p95/p99 latency, errors and the server's RSS per scenario, and the
 * ratio to bare express. At the end the inbound messages in the database must equal the 2xx answers.
 *
 * The server runs with ENGINE_THREADS=auto unless `--engine-threads N` says otherwise; "server CPU" is the
 * process's user + system time per message (all its threads), the figure to compare across machines.
 * "loop max" is the server's longest event-loop delay during the scenario and "slowest fsync" the bucket of
 * its slowest WAL sync (the disk): a p99 far above p95 comes from one of them.
 *
 * The messages are the evaluation set's questions in turn, so most texts repeat and their analysis comes from
 * the engine's memory (as in a real burst, where many citizens ask the same thing); `--distinct-texts` makes
 * every text unique, the worst case. The share from memory is printed at the end.
 *
 * `--postgres URL` runs the server on PostgreSQL (DATABASE_URL, a fresh schema of its own, dropped at the end)
 * instead of the temp SQLite file; the group-commit and WAL lines then do not apply.
 *
 *   npm run bench:load -- [--amount 20000] [--connections 50] [--rate 500] [--rate-seconds 20] [--distinct-texts] [--engine-threads N] [--knowledge DIR] [--profile DIR] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { dropSchema, testSchema } from '../test/support/postgres.ts';
import { startFakeTelegramApi, textUpdate } from '../test/fakes/telegram-api.ts';
import { BENCH_TELEGRAM_TOKEN, BENCH_WEBHOOK_SECRET, freePort, startServerProcess, type ServerProcess } from '../test/support/server-process.ts';
import { runHttpLoad, type LoadResult } from './support/http-load.ts';
import { runPacedLoad } from './support/paced-load.ts';
import { MessageMix } from './support/message-mix.ts';
import { runWidgetLoad } from './support/widget-load.ts';
import { stallSnapshot, stallsSince, walSyncSummary, type Stalls } from './support/server-stalls.ts';

const { values: args } = parseArgs({
  options: {
    amount: { type: 'string', default: '20000' },
    connections: { type: 'string', default: '50' },
    rate: { type: 'string', default: '500' },
    'rate-seconds': { type: 'string', default: '20' },
    knowledge: { type: 'string' },
    'engine-threads': { type: 'string' },
    /** Every message text unique, so the engine computes every answer (the mix repeats 475 questions otherwise). */
    'distinct-texts': { type: 'boolean', default: false },
    /** Writes a CPU profile of the server (node --cpu-prof) into this folder. */
    profile: { type: 'string' },
    /** PostgreSQL to run the server on (a fresh schema), instead of SQLite. */
    postgres: { type: 'string' },
  },
});
const AMOUNT = Number(args.amount);
const CONNECTIONS = Number(args.connections);
const RATE = Number(args.rate);
const RATE_SECONDS = Number(args['rate-seconds']);

interface Row extends LoadResult {
  scenario: string;
  rssMax: number;
  /** Server CPU time (user + system, all threads) in ms per answered request; NaN without a server. */
  cpuMsPerMessage: number;
  /** True when the requests were messages the server must store. */
  stores: boolean;
  /** The server's longest event-loop delay and slowest WAL fsync during the run (absent without a server). */
  stalls?: Stalls;
}

const ROOT = resolve(import.meta.dirname, '..');
const rows: Row[] = [];
const mix = new MessageMix(undefined, undefined, args['distinct-texts']);
let updateId = Math.floor(Date.now() / 1000);

async function measure(scenario: string, stores: boolean, server: ServerProcess | null, run: (onTick: () => void) => Promise<LoadResult>): Promise<Row> {
  let rssMax = server?.rss() ?? 0;
  const onTick = (): void => {
    rssMax = Math.max(rssMax, server?.rss() ?? 0);
  };
  process.stdout.write(`  ${scenario} …`);
  const snapshot = server ? await stallSnapshot(server.url) : undefined;
  const cpuBefore = server?.cpuMs() ?? 0;
  const result = await run(onTick);
  onTick();
  const cpuMsPerMessage = server ? (server.cpuMs() - cpuBefore) / result.ok : Number.NaN;
  const stalls = server && snapshot ? await stallsSince(server.url, snapshot) : undefined;
  const row = { scenario, stores, rssMax, cpuMsPerMessage, stalls, ...result };
  process.stdout.write(` ${Math.round(result.ok / result.seconds)} msgs/s\n`);
  rows.push(row);
  return row;
}

async function startEcho(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/support/express-echo.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise<string>((done) => createInterface({ input: child.stdout! }).once('line', done));
  const { port } = JSON.parse(line) as { port: number };
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

const apiBody = (): string => {
  const m = mix.take();
  return JSON.stringify({ conversationId: m.conversation, text: m.text, messageId: m.messageId });
};

const telegramBody = (): string => {
  const m = mix.take();
  return JSON.stringify(textUpdate({ updateId: ++updateId, chatId: 1_000_000 + (m.seq % 2000), text: m.text }));
};

function fmt(ms: number): string {
  return Number.isNaN(ms) ? '-' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'huiying-load-'));
  const fake = await startFakeTelegramApi(BENCH_TELEGRAM_TOKEN);
  console.log(`bench:load on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const schema = args.postgres ? testSchema() : undefined;
  // The schema exists (migrated) before the server starts; the server reaches it through DATABASE_URL's search_path.
  if (args.postgres) await (await PostgresStore.open(args.postgres, { schema })).close();
  const databaseUrl = args.postgres ? `${args.postgres}${args.postgres.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` : undefined;
  console.log(`starting the server (database: ${args.postgres ? `PostgreSQL, schema ${schema}` : dir}) …`);
  const server = await startServerProcess({
    dir,
    port: await freePort(),
    telegramApiRoot: fake.url,
    nodeArgs: args.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args.profile)}`] : [],
    env: {
      ...(args.knowledge ? { KNOWLEDGE_DIR: args.knowledge } : {}),
      ...(args['engine-threads'] ? { ENGINE_THREADS: args['engine-threads'] } : {}),
      MODEL_CACHE_DIR: process.env.MODEL_CACHE_DIR ?? 'data/models',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
  });
  let warmedUp = 0;
  const telegramHeaders = { 'x-telegram-bot-api-secret-token': BENCH_WEBHOOK_SECRET };
  const echo = await startEcho();
  try {
    const warm = await measure('warm-up (API)', true, server, (onTick) =>
      runHttpLoad({ url: server.url, path: '/api/v1/messages', body: apiBody, connections: 10, amount: 2000, onTick }),
    );
    rows.pop();
    warmedUp = warm.ok;
    const express = await measure('bare express JSON echo', false, null, (onTick) =>
      runHttpLoad({ url: echo.url, path: '/echo', body: apiBody, connections: CONNECTIONS, amount: AMOUNT, onTick }),
    );
    const api = await measure('POST /api/v1/messages', true, server, (onTick) =>
      runHttpLoad({ url: server.url, path: '/api/v1/messages', body: apiBody, connections: CONNECTIONS, amount: AMOUNT, onTick }),
    );
    await measure(`POST /api/v1/messages, steady ${RATE}/s`, true, server, (onTick) =>
      runPacedLoad({ url: server.url, path: '/api/v1/messages', body: apiBody, connections: CONNECTIONS, amount: RATE * RATE_SECONDS, rate: RATE, onTick }),
    );
    const widget = await measure('widget WebSocket', true, server, (onTick) => runWidgetLoad({ url: server.url, sockets: CONNECTIONS, amount: AMOUNT, mix, onTick }));
    await measure('Telegram webhook', true, server, (onTick) =>
      runHttpLoad({ url: server.url, path: '/channels/telegram/webhook', headers: telegramHeaders, body: telegramBody, connections: CONNECTIONS, amount: AMOUNT / 2, onTick }),
    );

    console.log('');
    console.log('| scenario | messages | msgs/s | p50 ms | p95 ms | p99 ms | errors | non-2xx | server RSS MB | server CPU ms/msg | loop max ms | slowest fsync ms |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const rss = r.rssMax ? (r.rssMax / 2 ** 20).toFixed(0) : '-';
      const loop = r.stalls ? fmt(r.stalls.loopMaxMs) : '-';
      const sync = !r.stalls || args.postgres ? '-' : Number.isFinite(r.stalls.slowestSyncMs) ? `≤ ${r.stalls.slowestSyncMs}` : '> 1000';
      console.log(
        `| ${r.scenario} | ${r.ok} | ${Math.round(r.ok / r.seconds)} | ${fmt(r.latency.percentile(0.5))} | ${fmt(r.latency.percentile(0.95))} | ${fmt(r.latency.percentile(0.99))} | ${r.errors} | ${r.non2xx} | ${rss} | ${fmt(r.cpuMsPerMessage)} | ${loop} | ${sync} |`,
      );
    }
    const rate = (r: Row): number => r.ok / r.seconds;
    console.log('');
    console.log(`ratio to bare express: HTTP API ${(rate(api) / rate(express)).toFixed(3)}, widget WebSocket ${(rate(widget) / rate(express)).toFixed(3)}`);
    const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
    const gauge = (name: string): number => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);
    if (!args.postgres) {
      const commits = gauge('huiying_store_commits');
      console.log(`group commit: ${gauge('huiying_store_writes')} units of work in ${commits} transactions (${(gauge('huiying_store_writes') / commits).toFixed(1)} per fsync)`);
      console.log(`WAL fsync (the disk): ${walSyncSummary(metrics)}`);
    }
    const fromMemory = gauge('huiying_engine_analyses{source="memory"}');
    const computed = gauge('huiying_engine_analyses{source="computed"}');
    console.log(`engine analyses: ${computed} computed, ${fromMemory} from memory (${((100 * fromMemory) / (fromMemory + computed)).toFixed(1)} % of ${fromMemory + computed})`);
  } finally {
    const code = await server.stop();
    echo.stop();
    await fake.stop();
    if (code !== 0) console.error(`the server exited with ${code}:\n${server.stderr()}`);
  }

  const stored = await storedInbound(dir, schema);
  if (args.postgres) await dropSchema(args.postgres, schema!);
  const sentToTelegram = fake.callsOf('sendMessage').length;
  const acknowledged = rows.filter((r) => r.stores).reduce((n, r) => n + r.ok, 0) + warmedUp;
  console.log(`inbound messages stored: ${stored}; acknowledged (2xx / ack, warm-up included): ${acknowledged}; Telegram sendMessage calls: ${sentToTelegram}`);
  const failures = rows.reduce((n, r) => n + r.errors + r.non2xx, 0);
  rmSync(dir, { recursive: true, force: true });
  if (stored !== acknowledged || failures > 0) {
    console.error(stored !== acknowledged ? 'FAIL: stored messages differ from acknowledged ones' : `FAIL: ${failures} errors or non-2xx answers`);
    process.exitCode = 1;
  } else console.log('OK: every acknowledged message is stored, no errors');
}

/** Inbound messages in the server's database (SQLite file, or the PostgreSQL schema). */
async function storedInbound(dir: string, schema: string | undefined): Promise<number> {
  if (!args.postgres) {
    const db = new Database(join(dir, 'huiying.db'), { readonly: true });
    try {
      return db.prepare("SELECT COUNT(*) FROM messages WHERE direction = 'in'").pluck().get() as number;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: args.postgres });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${pg.escapeIdentifier(schema!)}.messages WHERE direction = 'in'`);
    return Number(result.rows[0]!.n);
  } finally {
    await client.end();
  }
}

await main();
