/**
 * `npm run bench:crash`: the crash test, long. The server runs under load (HTTP API, Telegram webhook, WeChat
 * callback, Bot Framework endpoint, a staff member claiming and replying) and is killed with SIGKILL
 * `--crashes` times, `--seconds` apart, and restarted, then stopped with SIGTERM; then every acknowledged
 * message must be stored exactly once, every decided Telegram, WeChat and Bot Framework reply sent, every
 * claimed case still claimed. `--platform-delay MS` makes the fake WeChat API and connector answer each send
 * that late.
 *
 * `--instances N` (2 or more) runs several instances on one SQLite file and one Redis (`--redis`, default
 * REDIS_TEST_URL or redis://127.0.0.1:6379; a key prefix of the run's own), spreads the load over them and
 * kills only the first (INSTANCE_ID a) at each crash while the others keep serving; after the last crash it
 * waits until what the killed instance left is picked up (a minute old, by the holder of the expiry-sweep
 * lease; at most `--pickup-timeout` seconds), then stops them all with SIGTERM and checks the same.
 *
 *   npm run bench:crash -- [--crashes 10] [--seconds 10] [--senders 8] [--platform-delay 0] [--knowledge DIR]
 *                          [--instances 1] [--redis redis://127.0.0.1:6379] [--pickup-timeout 240]
 */
import { parseArgs } from 'node:util';
import { runClusterCrashScenario, type ClusterCrashReport } from '../test/support/crash-cluster-scenario.ts';
import { runCrashScenario, type CrashReport } from '../test/support/crash-scenario.ts';

const { values: args } = parseArgs({
  options: {
    crashes: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '10' },
    senders: { type: 'string', default: '8' },
    'platform-delay': { type: 'string', default: '0' },
    knowledge: { type: 'string' },
    instances: { type: 'string', default: '1' },
    redis: { type: 'string', default: process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379' },
    'pickup-timeout': { type: 'string', default: '240' },
  },
});

const instances = Number(args.instances);
if (!Number.isInteger(instances) || instances < 1) throw new Error(`--instances must be a whole number, 1 or more (got ${args.instances})`);
const started = performance.now();
const scenario = {
  crashes: Number(args.crashes),
  loadMs: Number(args.seconds) * 1000,
  senders: Number(args.senders),
  platformDelayMs: Number(args['platform-delay']),
  modelCacheDir: process.env.MODEL_CACHE_DIR ?? 'data/models',
  knowledgeDir: args.knowledge,
  log: (line: string) => console.log(line),
};
const clustered: ClusterCrashReport | null =
  instances === 1 ? null : await runClusterCrashScenario({ ...scenario, instances, redisUrl: args.redis, pickupTimeoutMs: Number(args['pickup-timeout']) * 1000 });
const report: CrashReport = clustered ?? (await runCrashScenario(scenario));
console.log('');
console.log(`crashes: ${args.crashes}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
if (clustered) {
  const c = clustered.cluster;
  const [victim, ...others] = c.instances;
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  console.log(`instances: ${c.instances.length} on one SQLite file and one Redis; ${victim} killed at each crash, ${others.join(', ')} kept serving`);
  console.log(`acknowledged by instance: ${c.instances.map((i) => `${i} ${c.acknowledgedBy[i]}`).join(', ')}; by ${others.join(', ')} while ${victim} was down (${s(c.downMs)} in all): ${c.acknowledgedWhileDown}`);
  const slowest = (i: string): string => Object.entries(c.slowestMsBy[i] ?? {}).map(([channel, ms]) => `${channel} ${s(ms)}`).join(', ');
  console.log(`slowest acknowledgement per channel: ${c.instances.map((i) => `${i}: ${slowest(i)}`).join('; ')}`);
  const p = c.pendingWhenLoadStopped;
  console.log(`pending when the load stopped: ${p.outbox} outbox items, ${p.awaiting} messages awaiting their answer (${p.fromBeforeLastKill} from before the last kill, the oldest ${s(p.oldestAgeMs)} old)`);
  console.log(`nothing pending any more: ${c.pickedUpAfterMs === null ? 'NOT within the wait' : `${s(c.pickedUpAfterMs)} after the last kill`} (a dead instance's work is picked up once a minute old, by the expiry-sweep lease holder, every 30 s)`);
  for (const k of c.leftByKill) {
    const what = k.outbox.length + k.awaiting.length === 0 ? 'nothing pending' : `${k.outbox.length} outbox items (ended: ${k.outboxEnded.sent} sent, ${k.outboxEnded.undeliverable} undeliverable, ${k.outboxEnded.pending} pending) and ${k.awaiting.length} messages awaiting their answer`;
    const when = k.outbox.length + k.awaiting.length === 0 ? '' : k.pickedUpAfterMs === null ? ', NOT picked up' : `, picked up ${s(k.pickedUpAfterMs)} after the kill`;
    console.log(`  kill ${k.crash} left ${what}${when}`);
  }
  console.log(`conversation locks each kill left in Redis (they run out 5 s after their holder died; a turn elsewhere waits up to 10 s for one): ${c.locksLeft.join(', ')}`);
  const stall = c.longestStall;
  console.log(`longest spell in which ${others.join(', ')} acknowledged nothing: ${s(stall.ms)}, from ${s(stall.afterKillMs)} after kill ${stall.crash}`);
  const holders = c.sweepLease.whileWaiting.map(({ holder, atMs }) => `${holder ?? 'free'} at ${s(atMs)}`).join(', ');
  console.log(`expiry-sweep lease holder: at the kills ${c.sweepLease.atKills.map((h) => h ?? 'free').join(', ')}; after the last kill ${holders}`);
}
console.log(`acknowledged messages: ${report.acknowledged.length} (all stored exactly once: ${report.problems.some((p) => p.startsWith('acknowledged ')) ? 'no' : 'yes'})`);
console.log(`cases opened by "转人工": ${new Set(report.askedForPerson).size} chats; claimed: ${report.claimed.length}; staff replies acknowledged: ${report.staffReplies.length}`);
console.log(`WeChat answers: ${report.passiveReplies.length} passive (in the callback's response), ${report.wechatApiSends} through the customer-service API`);
console.log(`Bot Framework activities the connector received: ${report.botframeworkSends}`);
console.log(`replies that reached the citizen more than once (a crash between sending and marking sent): ${report.resentTwice}`);
if (report.problems.length > 0) {
  console.log(`FAIL: ${report.problems.length} problems`);
  for (const p of report.problems.slice(0, 30)) console.log(`  ${p}`);
  process.exitCode = 1;
} else console.log('OK: nothing acknowledged was lost, every decided reply was sent, every claimed case is still claimed');
