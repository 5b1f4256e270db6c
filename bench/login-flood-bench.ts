/**
 * `npm run bench:login-flood`: citizens beside a flood of wrong staff logins (issue 14). Starts the real server
 * (a child process, temp database, default login settings, rate limits on citizens off), sends citizen
 * messages (POST /api/v1/messages) at a steady rate and measures their p99 from when each was due (no
 * coordinated omission): first alone, then while 200 clients, each bound to its own loopback address
 * (127.0.1.1 – 127.0.1.200), send wrong-password logins without pause (a real name or an unknown one; from a
 * process of their own, bench/support/login-flood-client.ts), then alone again. Prints the p99s, the ratio
 * flood / alone, what the logins were answered, and the server's CPU and RSS.
 *
 *   npm run bench:login-flood -- [--rate 100] [--seconds 30] [--attackers 200] [--node-args=--trace-gc] (the = form: the value starts with --)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hashPassword } from '../src/handoff/passwords.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { freePort, startServerProcess, type ServerProcess } from '../test/support/server-process.ts';
import { MessageMix } from './support/message-mix.ts';
import { runPacedLoad } from './support/paced-load.ts';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    attackers: { type: 'string', default: '200' },
    'node-args': { type: 'string', default: '' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const ATTACKERS = Number(args.attackers);

const mix = new MessageMix();
const apiBody = (): string => {
  const m = mix.take();
  return JSON.stringify({ conversationId: m.conversation, text: m.text, messageId: m.messageId });
};

interface Phase {
  name: string;
  p50: number;
  p99: number;
  max: number;
  ok: number;
  failed: number;
  rssMaxMb: number;
  /** Server CPU (all its threads) over the phase, in % of one core. */
  cpuPercent: number;
}

async function citizens(server: ServerProcess, name: string): Promise<Phase> {
  let rssMax = 0;
  const cpuBefore = server.cpuMs();
  const result = await runPacedLoad({
    url: server.url,
    path: '/api/v1/messages',
    body: apiBody,
    rate: RATE,
    amount: RATE * SECONDS,
    connections: 50,
    onTick: () => (rssMax = Math.max(rssMax, server.rss())),
  });
  return {
    name,
    p50: result.latency.percentile(0.5),
    p99: result.latency.percentile(0.99),
    max: result.latency.percentile(1),
    ok: result.ok,
    failed: result.non2xx + result.errors,
    rssMaxMb: rssMax / 2 ** 20,
    cpuPercent: ((server.cpuMs() - cpuBefore) / (result.seconds * 1000)) * 100,
  };
}

/** Starts the attackers' process (bench/support/login-flood-client.ts); `stop` ends it and returns the answers' statuses. */
async function flood(url: string, count: number): Promise<{ stop: () => Promise<Record<string, number>> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/login-flood-client.ts'), url, String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // Let the clients connect before the citizens' phase starts.
  await new Promise((r) => setTimeout(r, 2000));
  return {
    stop: async () => {
      child.stdin!.end();
      await exited;
      return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'huiying-login-flood-'));
const store = new SqliteStore(join(dir, 'huiying.db'));
store.staff.create({ name: 'admin', displayName: 'Admin', role: 'admin', departments: [], passwordHash: await hashPassword('the-admin-password-1') });
store.staff.create({ name: 'agent', displayName: 'Agent', role: 'agent', departments: ['taxation'], passwordHash: await hashPassword('the-agent-password-1') });
store.close();

const server = await startServerProcess({ dir, port: await freePort(), env: { MODEL_CACHE_DIR: process.env.MODEL_CACHE_DIR ?? 'data/models', ENGINE: process.env.ENGINE ?? 'v1' }, nodeArgs: args['node-args'].split(' ').filter(Boolean) });
try {
  console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; Node ${process.version}`);
  console.log(`engine ${process.env.ENGINE ?? 'v1'}; server node arguments: ${args['node-args'] || 'none'}`);
  console.log(`citizens: ${RATE} messages/s for ${SECONDS} s per phase; flood: ${ATTACKERS} clients on their own loopback addresses`);
  await runPacedLoad({ url: server.url, path: '/api/v1/messages', body: apiBody, rate: RATE, amount: RATE * 5, connections: 50 });
  const before = await citizens(server, 'citizens alone');
  const attack = await flood(server.url, ATTACKERS);
  const during = await citizens(server, `citizens + ${ATTACKERS} wrong logins`);
  const statuses = await attack.stop();
  const after = await citizens(server, 'citizens alone again');
  const rows = [before, during, after];
  console.log('\nphase                              p50 ms   p99 ms   max ms   2xx     failed   server CPU   server RSS max');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(34)} ${r.p50.toFixed(1).padStart(6)} ${r.p99.toFixed(1).padStart(8)} ${r.max.toFixed(0).padStart(8)}   ${String(r.ok).padEnd(7)} ${String(r.failed).padEnd(8)} ${`${r.cpuPercent.toFixed(0)} %`.padEnd(12)} ${r.rssMaxMb.toFixed(0)} MB`,
    );
  }
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  console.log(`\nlogins during the flood: ${total} (${Object.entries(statuses).sort().map(([s, n]) => `${s}: ${n}`).join(', ')})`);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const refusals = [...metrics.matchAll(/^huiying_staff_login_failures_total\{reason="(\w+)",limit="(\w+)"\} (\d+)$/gm)].map((m) => `${m[1]}/${m[2]}: ${m[3]}`);
  console.log(`the server's count (reason/limit): ${refusals.join(', ')}`);
  const hedged = /^huiying_engine_hedged_total (\d+)$/m.exec(metrics)?.[1] ?? '0';
  const threads = /^huiying_engine_threads (\d+)$/m.exec(metrics)?.[1] ?? '0';
  console.log(`engine threads: ${threads}; messages sent to a second thread after 25 ms (hedged): ${hedged} of ${rows.reduce((n, r) => n + r.ok + r.failed, 0)}`);
  console.log(`p99 with the flood / without: ${(during.p99 / before.p99).toFixed(2)}× (before), ${(during.p99 / after.p99).toFixed(2)}× (after); target at most 1.5×`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
