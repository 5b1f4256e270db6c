/**
 * `npm run bench:login-flood`: citizens beside a flood of wrong staff logins (issue 14). Starts the real server
 * (a child process, temp database, default login settings, rate limits on citizens off), sends citizen
 * messages (POST /api/v1/messages) at a steady rate and measures their latency from when each was due (no
 * coordinated omission), in alternating phases: quiet, flood, quiet, flood, ..., quiet. During a flood phase
 * 200 clients, each bound to its own loopback address (127.0.1.1 – 127.0.1.200), send wrong-password logins
 * without pause (a real name or an unknown one; from a process of their own, bench/support/login-flood-client.ts).
 * Alternating phases expose both conditions to the same drift of the machine (other processes, the server's own
 * garbage collections and checkpoints), which one quiet and one flood phase do not. Prints every phase, the p99
 * of all flood samples over the p99 of all quiet ones (the figure held against the target of 1.5×), each flood
 * phase against its two quiet neighbours, what the logins were answered, and the server's CPU and RSS.
 *
 * LOGIN_* variables in this process's environment are passed to the server (to measure other login settings).
 *
 *   npm run bench:login-flood -- [--rate 100] [--seconds 20] [--rounds 3] [--attackers 200] [--attacker-nice 19] [--node-args=--trace-gc] (the = form: the value starts with --)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hashPassword } from '../src/handoff/passwords.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { cpuMillis, freePort, startServerProcess, type ServerProcess } from '../test/support/server-process.ts';
import { Latencies } from './support/latency.ts';
import { MessageMix } from './support/message-mix.ts';
import { runPacedLoad } from './support/paced-load.ts';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    attackers: { type: 'string', default: '200' },
    'node-args': { type: 'string', default: '' },
    'attacker-nice': { type: 'string', default: '19' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const ATTACKERS = Number(args.attackers);
const ROUNDS = Number(args.rounds);

const mix = new MessageMix();
const apiBody = (): string => {
  const m = mix.take();
  return JSON.stringify({ conversationId: m.conversation, text: m.text, messageId: m.messageId });
};

interface Phase {
  name: string;
  flood: boolean;
  latency: Latencies;
  p50: number;
  p99: number;
  max: number;
  ok: number;
  /** Answers other than 2xx and requests that got none (connection error, timeout), as "non-2xx/errors". */
  failed: string;
  rssMaxMb: number;
  /** Server CPU (all its threads) over the phase, in % of one core. */
  cpuPercent: number;
  /** The server's garbage collections during the phase (all its threads), from prom-client's nodejs_gc_duration_seconds. */
  gc: string;
}

/** Messages the server took more than 10 and 25 ms to answer and store (huiying_answer_duration_seconds), so far. */
function slowAnswers(metrics: string): { total: number; over10: number; over25: number } {
  const bucket = (le: string): number => {
    let n = 0;
    for (const m of metrics.matchAll(/^huiying_answer_duration_seconds_bucket\{([^}]*)\} (\S+)$/gm)) if (m[1]!.includes(`le="${le}"`)) n += Number(m[2]);
    return n;
  };
  const total = bucket('+Inf');
  return { total, over10: total - bucket('0.01'), over25: total - bucket('0.025') };
}

/** Count and total seconds of the server's garbage collections by kind, so far, and its slow answers. */
async function gcTotals(url: string): Promise<Map<string, { count: number; sum: number }>> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const slow = slowAnswers(metrics);
  const totals = new Map<string, { count: number; sum: number }>([['answers over 10 ms', { count: slow.over10, sum: 0 }], ['answers over 25 ms', { count: slow.over25, sum: 0 }]]);
    for (const m of metrics.matchAll(/^nodejs_gc_duration_seconds_(count|sum)\{kind="(\w+)"\} (\S+)$/gm)) {
    const entry = totals.get(m[2]!) ?? { count: 0, sum: 0 };
    entry[m[1] as 'count' | 'sum'] = Number(m[3]);
    totals.set(m[2]!, entry);
  }
  return totals;
}

/** "minor 120 × 3.1 ms, major 2 × 15 ms" between two totals. */
function gcBetween(before: Map<string, { count: number; sum: number }>, after: Map<string, { count: number; sum: number }>): string {
  const parts: string[] = [];
  for (const [kind, a] of after) {
    const b = before.get(kind) ?? { count: 0, sum: 0 };
    const count = a.count - b.count;
    if (kind.startsWith('answers')) parts.push(`${kind}: ${count}`);
    else if (count > 0) parts.push(`${kind} ${count} × ${(((a.sum - b.sum) / count) * 1000).toFixed(1)} ms`);
  }
  return parts.join(', ') || 'none';
}

async function citizens(server: ServerProcess, name: string, flood: boolean): Promise<Phase> {
  let rssMax = 0;
  const cpuBefore = server.cpuMs();
  const gcBefore = await gcTotals(server.url);
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
    flood,
    latency: result.latency,
    p50: result.latency.percentile(0.5),
    p99: result.latency.percentile(0.99),
    max: result.latency.percentile(1),
    ok: result.ok,
    failed: `${result.non2xx}/${result.errors}`,
    rssMaxMb: rssMax / 2 ** 20,
    cpuPercent: ((server.cpuMs() - cpuBefore) / (result.seconds * 1000)) * 100,
    gc: gcBetween(gcBefore, await gcTotals(server.url)),
  };
}

/**
 * Starts the attackers' process (bench/support/login-flood-client.ts) at the given niceness (19 by default: on a
 * real deployment the attackers' own CPU is on their machines, not beside the server's threads); `stop` ends it
 * and returns the answers' statuses and the CPU the attackers used (ms).
 */
async function flood(url: string, count: number): Promise<{ stop: () => Promise<{ statuses: Record<string, number>; cpuMs: number }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/login-flood-client.ts'), url, String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
  setPriority(child.pid!, Number(args['attacker-nice']));
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // Let the clients connect before the citizens' phase starts.
  await new Promise((r) => setTimeout(r, 2000));
  return {
    stop: async () => {
      const cpuMs = cpuMillis(child.pid);
      child.stdin!.end();
      await exited;
      return { statuses: JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>, cpuMs };
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'huiying-login-flood-'));
const store = new SqliteStore(join(dir, 'huiying.db'));
await store.staff.create({ name: 'admin', displayName: 'Admin', role: 'admin', departments: [], passwordHash: await hashPassword('the-admin-password-1') });
await store.staff.create({ name: 'agent', displayName: 'Agent', role: 'agent', departments: ['taxation'], passwordHash: await hashPassword('the-agent-password-1') });
await store.close();

/** The login settings (LOGIN_*) of this process's environment, passed to the server to measure them. */
const loginSettings = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('LOGIN_')));
const server = await startServerProcess({ dir, port: await freePort(), env: { MODEL_CACHE_DIR: process.env.MODEL_CACHE_DIR ?? 'data/models', ENGINE: process.env.ENGINE ?? 'v1', ...loginSettings }, nodeArgs: args['node-args'].split(' ').filter(Boolean) });
try {
  console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; Node ${process.version}`);
  console.log(`engine ${process.env.ENGINE ?? 'v1'}; server node arguments: ${args['node-args'] || 'none'}; login settings: ${Object.entries(loginSettings).map(([k, v]) => `${k}=${v}`).join(' ') || 'defaults'}`);
  console.log(`citizens: ${RATE} messages/s for ${SECONDS} s per phase; flood: ${ATTACKERS} clients on their own loopback addresses`);
  // Warm-up, left out: the first seconds after a start carry its garbage and cold code paths.
  await runPacedLoad({ url: server.url, path: '/api/v1/messages', body: apiBody, rate: RATE, amount: RATE * 15, connections: 50 });
  const rows: Phase[] = [await citizens(server, 'quiet 1', false)];
  const statuses: Record<string, number> = {};
  let attackerCpuMs = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const attack = await flood(server.url, ATTACKERS);
    rows.push(await citizens(server, `flood ${round} (${ATTACKERS} wrong logins)`, true));
    const ended = await attack.stop();
    attackerCpuMs += ended.cpuMs;
    for (const [status, n] of Object.entries(ended.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
    rows.push(await citizens(server, `quiet ${round + 1}`, false));
  }
  console.log('\nphase                              p50 ms   p99 ms   max ms   2xx     non-2xx/errors   server CPU   server RSS max');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(34)} ${r.p50.toFixed(1).padStart(6)} ${r.p99.toFixed(1).padStart(8)} ${r.max.toFixed(0).padStart(8)}   ${String(r.ok).padEnd(7)} ${r.failed.padEnd(16)} ${`${r.cpuPercent.toFixed(0)} %`.padEnd(12)} ${r.rssMaxMb.toFixed(0)} MB`,
    );
  }
  console.log('\nthe server\'s garbage collections per phase (count × mean pause):');
  for (const r of rows) console.log(`${r.name.padEnd(34)} ${r.gc}`);
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  console.log(`\nthe attackers' process (nice ${args['attacker-nice']}): ${((attackerCpuMs / (ROUNDS * (SECONDS + 2) * 1000)) * 100).toFixed(0)} % of a core during the floods`);
  console.log(`logins during the floods: ${total} (${Object.entries(statuses).sort().map(([s, n]) => `${s}: ${n}`).join(', ')})`);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const refusals = [...metrics.matchAll(/^huiying_staff_login_failures_total\{reason="(\w+)",limit="(\w+)"\} (\d+)$/gm)].map((m) => `${m[1]}/${m[2]}: ${m[3]}`);
  console.log(`the server's count (reason/limit): ${refusals.join(', ')}`);
  const hedged = /^huiying_engine_hedged_total (\d+)$/m.exec(metrics)?.[1] ?? '0';
  const threads = /^huiying_engine_threads (\d+)$/m.exec(metrics)?.[1] ?? '0';
  console.log(`engine threads: ${threads}; messages sent to a second thread after 25 ms (hedged): ${hedged} of ${rows.reduce((n, r) => n + r.latency.count, 0)}`);
  const pooled = (flood: boolean): Latencies => {
    const all = new Latencies();
    for (const r of rows) if (r.flood === flood) all.merge(r.latency);
    return all;
  };
  const paired = rows.flatMap((r, i) => (r.flood ? [r.p99 / ((rows[i - 1]!.p99 + rows[i + 1]!.p99) / 2)] : []));
  console.log(`each flood phase's p99 / its quiet neighbours' mean: ${paired.map((x) => `${x.toFixed(2)}×`).join(', ')}`);
  const quietP99 = pooled(false).percentile(0.99);
  const floodP99 = pooled(true).percentile(0.99);
  console.log(`p99 of all flood phases ${floodP99.toFixed(1)} ms / of all quiet phases ${quietP99.toFixed(1)} ms: ${(floodP99 / quietP99).toFixed(2)}×; target at most 1.5×`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
