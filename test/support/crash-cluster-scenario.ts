/**
 * The crash scenario with several instances (`npm run bench:crash -- --instances 2`): server processes on one
 * SQLite file and one Redis (a key prefix of their own), the load spread over all of them, and only the first
 * (INSTANCE_ID `a`) killed with SIGKILL at each crash while the others keep serving and keep taking load; `a`
 * is restarted each time. With several instances nobody re-sends an outbox item or answers an acknowledged
 * message until it is a minute old (LEFT_BEHIND_MS in src/server/start-server.ts), and only the holder of the
 * `expiry-sweep` lease does so, every 30 s: after the last crash the scenario waits, polling the SQLite file
 * read-only, until nothing is pending (capped), then stops every instance with SIGTERM and runs the checks of
 * the single-instance scenario. The killed instance comes back with the same INSTANCE_ID, so when it held the
 * lease it takes it up again at its first sweep rather than leaving it to run out (the figures say who held it).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import {
  check,
  delay,
  emptyReport,
  emptyTally,
  MIN_ACKNOWLEDGED_PER_RUN,
  preparePlatforms,
  STAFF,
  startLoad,
  type CrashReport,
  type CrashScenarioOptions,
  type Tally,
} from './crash-scenario.ts';
import { testPrefix } from './redis.ts';
import { freePort, startServerProcess, type ServerProcess } from './server-process.ts';
import { login } from './staff-client.ts';

export interface ClusterCrashOptions extends CrashScenarioOptions {
  /** Server processes sharing the database and Redis (2 or more); the first is the one killed. */
  instances: number;
  redisUrl: string;
  /** How long, once the load stopped, to wait for what the killed instance left to be picked up (default 4 minutes). */
  pickupTimeoutMs?: number;
}

/** What is pending in the database: outbox items not sent yet, messages acknowledged and not answered yet. */
export interface Pending {
  outbox: number;
  awaiting: number;
  /** Of those, created (acknowledged) before the last kill: what the killed instance, or an earlier kill, left. */
  fromBeforeLastKill: number;
  /** Age of the oldest of them (ms), 0 when none. */
  oldestAgeMs: number;
}

/**
 * What one kill left: outbox items pending and messages awaiting their answer, created before the kill and
 * still so 3 s after it (the surviving instances send theirs within milliseconds; these wait for the sweep).
 */
export interface KillLeftovers {
  crash: number;
  killedAt: number;
  outbox: number[];
  /** Message ids. */
  awaiting: number[];
  /** How long after the kill the last of them was sent or answered (ms); null while (or if) some were not. */
  pickedUpAfterMs: number | null;
  /** How the outbox items ended (read at the end of the run). */
  outboxEnded: { sent: number; undeliverable: number; pending: number };
}

export interface ClusterFigures {
  /** INSTANCE_ID of each instance; the first is the one killed. */
  instances: string[];
  /** Messages each instance acknowledged (the killed one over all its runs). */
  acknowledgedBy: Record<string, number>;
  /** The slowest acknowledged request of each instance, per channel (ms). */
  slowestMsBy: Record<string, Record<string, number>>;
  /** Messages the other instances acknowledged while the killed one was down (from each kill to its restart's readiness). */
  acknowledgedWhileDown: number;
  /** How long the killed instance was down, in all (ms). */
  downMs: number;
  /** What was pending when the load had stopped, after the last restart. */
  pendingWhenLoadStopped: Pending;
  /** From the last kill until nothing was pending (ms); null when something still was at the timeout. */
  pickedUpAfterMs: number | null;
  /** What each kill left, and how long after it that was picked up. */
  leftByKill: KillLeftovers[];
  /** Who held the `expiry-sweep` lease (the instance that picks up what a dead one left) at each kill and while waiting: instance and since when, ms after the last kill. */
  sweepLease: { atKills: (string | null)[]; whileWaiting: { holder: string | null; atMs: number }[] };
  /** Conversation locks each kill left in Redis (held by the same token 1 s later, not left by an earlier kill; they live 30 s, and a turn on another instance waits 10 s for one). */
  locksLeft: number[];
  /** The longest spell in which the other instances acknowledged nothing, from the first kill on (ms), and how long after which kill it began. */
  longestStall: { ms: number; crash: number; afterKillMs: number };
}

export interface ClusterCrashReport extends CrashReport {
  cluster: ClusterFigures;
}

/** An instance's server process and the loads sent to it. */
interface Instance {
  name: string;
  port: number;
  /** Every process this instance ran, the current one last. */
  processes: ServerProcess[];
  tally: Tally;
}

export async function runClusterCrashScenario(options: ClusterCrashOptions): Promise<ClusterCrashReport> {
  if (options.instances < 2) throw new Error('several instances means 2 or more');
  const log = options.log ?? (() => undefined);
  const redis = await connectRedis(options.redisUrl);
  const platforms = await preparePlatforms(options).catch((err: unknown) => {
    redis.disconnect();
    throw err;
  });
  const { dir, fake, weixin, connector } = platforms;
  const database = join(dir, 'huiying.db');
  const prefix = testPrefix();
  const leaseHolder = (): Promise<string | null> => redis.get(`${prefix}lease:expiry-sweep`).catch(() => null);
  const instances: Instance[] = [];
  for (let i = 0; i < options.instances; i++) instances.push({ name: String.fromCharCode(97 + i), port: await freePort(), processes: [], tally: emptyTally() });
  const [victim, ...survivors] = instances as [Instance, ...Instance[]];
  // WeChat's answers take both ways: the killed instance alternates, as in the single-instance scenario (its
  // runs with an even number answer within 50 ms, mostly passively, odd ones through the customer-service API);
  // the others keep one way each (b: the API, so the outbox is busy on the instance that survives; c: 50 ms; ...).
  let run = 0;
  const start = async (instance: Instance): Promise<ServerProcess> => {
    const budget = instance === victim ? (run++ % 2 === 0 ? '50' : '0') : instances.indexOf(instance) % 2 === 1 ? '0' : '50';
    const server = await startServerProcess({
      dir,
      port: instance.port,
      telegramApiRoot: fake.url,
      env: { ...platforms.env, REDIS_URL: options.redisUrl, REDIS_PREFIX: prefix, INSTANCE_ID: instance.name, WECHAT_REPLY_BUDGET_MS: budget },
    });
    instance.processes.push(server);
    return server;
  };
  const current = (instance: Instance): ServerProcess => instance.processes.at(-1)!;
  const report = emptyReport();
  const figures: ClusterFigures = {
    instances: instances.map((i) => i.name),
    acknowledgedBy: {},
    slowestMsBy: {},
    acknowledgedWhileDown: 0,
    downMs: 0,
    pendingWhenLoadStopped: { outbox: 0, awaiting: 0, fromBeforeLastKill: 0, oldestAgeMs: 0 },
    pickedUpAfterMs: null,
    leftByKill: [],
    sweepLease: { atKills: [], whileWaiting: [] },
    longestStall: { ms: 0, crash: 0, afterKillMs: 0 },
    locksLeft: [],
  };
  const locks = async (): Promise<Map<string, string | null>> => {
    const keys = await keysUnder(redis, `${prefix}conversation-lock:`);
    const tokens = keys.length > 0 ? await redis.mget(...keys) : [];
    return new Map(keys.map((key, i) => [key, tokens[i] ?? null]));
  };
  /** Locks an earlier kill left (key and token). */
  const staleLocks = new Set<string>();
  /** Locks held at the kill and still by the same token a second later, but for those of an earlier kill: the killed instance's. */
  const locksLeftByKill = async (): Promise<number> => {
    const atKill = await locks();
    await delay(1_000);
    const later = await locks();
    const left = [...atKill].filter(([key, token]) => token !== null && later.get(key) === token && !staleLocks.has(`${key} ${token}`));
    for (const [key, token] of left) staleLocks.add(`${key} ${String(token)}`);
    return left.length;
  };
  const survivorsAcknowledged = (): number => survivors.reduce((sum, i) => sum + i.tally.acknowledged, 0);
  let next = 0;
  const id = (): number => next++;
  let lastKill = 0;
  const kills: number[] = [];
  // When the other instances acknowledged something (sampled every 50 ms), to find where they stalled.
  const progress: { at: number; acknowledged: number }[] = [];
  const sampler = setInterval(() => {
    const acknowledged = survivorsAcknowledged();
    if (progress.at(-1)?.acknowledged !== acknowledged) progress.push({ at: Date.now(), acknowledged });
  }, 50);
  let reader: Database.Database | null = null;
  /** Notes, 3 s after a kill, what it left; then (every 250 ms) when that was picked up. */
  const leftovers = (crash: number, killedAt: number, wait = 3_000): void => {
    setTimeout(() => {
      if (!reader) return;
      let left;
      try {
        left = pendingIds(reader, killedAt);
      } catch {
        leftovers(crash, killedAt, 100); // busy (a start recovering the file): again in a moment
        return;
      }
      // Not what an earlier kill left and is still pending.
      const earlier = new Set(figures.leftByKill.flatMap((k) => [...k.outbox.map((id) => `o${id}`), ...k.awaiting.map((id) => `a${id}`)]));
      const outbox = left.outbox.filter((id) => !earlier.has(`o${id}`));
      const awaiting = left.awaiting.filter((id) => !earlier.has(`a${id}`));
      figures.leftByKill.push({ crash, killedAt, outbox, awaiting, pickedUpAfterMs: outbox.length + awaiting.length === 0 ? 0 : null, outboxEnded: { sent: 0, undeliverable: 0, pending: 0 } });
    }, wait).unref();
  };
  const watcher = setInterval(() => {
    const open = figures.leftByKill.filter((k) => k.pickedUpAfterMs === null);
    if (!reader || open.length === 0) return;
    let now;
    try {
      now = pendingIds(reader, Date.now());
    } catch {
      return;
    }
    const outbox = new Set(now.outbox);
    const awaiting = new Set(now.awaiting);
    for (const k of open) {
      if (!k.outbox.some((id) => outbox.has(id)) && !k.awaiting.some((id) => awaiting.has(id))) k.pickedUpAfterMs = Date.now() - k.killedAt;
    }
  }, 250);
  try {
    // One after another: the first trains the model on a cold cache and writes the key file; the others load both.
    for (const instance of instances) await start(instance);
    reader = new Database(database, { readonly: true });
    log(`instances ${instances.map((i) => `${i.name} ${current(i).url}`).join(', ')} on ${database}, Redis ${options.redisUrl} (prefix ${prefix})`);
    // The others take load from now until the last restart of the killed one, across its crashes.
    const steady = { stop: false };
    const steadyLoops = (
      await Promise.all(
        survivors.map(async (i) => startLoad({ url: current(i).url, staff: await login(current(i).url, STAFF), connector, until: steady, report, id, senders: options.senders, tally: i.tally, instance: i.name })),
      )
    ).flat();
    for (let crash = 1; crash <= options.crashes; crash++) {
      const server = current(victim);
      const until = { stop: false };
      const loops = startLoad({ url: server.url, staff: await login(server.url, STAFF), connector, until, report, id, senders: options.senders, tally: victim.tally, instance: `${victim.name}${crash}` });
      // At least loadMs, and on a busy machine until the killed instance has really been under load in this run (capped).
      const before = { acknowledged: victim.tally.acknowledged, staffReplies: report.staffReplies.length, passive: victim.tally.passiveReplies };
      const passiveRun = (run - 1) % 2 === 0;
      const loaded = (): boolean =>
        victim.tally.acknowledged - before.acknowledged >= MIN_ACKNOWLEDGED_PER_RUN &&
        report.staffReplies.length > before.staffReplies &&
        (!passiveRun || victim.tally.passiveReplies > before.passive);
      await delay(options.loadMs);
      const cap = Date.now() + Math.max(options.loadMs * 10, 30_000);
      while (!loaded() && Date.now() < cap) await delay(50);
      const survivorsBefore = survivorsAcknowledged();
      figures.sweepLease.atKills.push(await leaseHolder());
      await server.kill9();
      lastKill = Date.now();
      kills.push(lastKill);
      leftovers(crash, lastKill);
      const left = locksLeftByKill().catch(() => -1);
      until.stop = true;
      await Promise.all(loops);
      await start(victim);
      figures.locksLeft.push(await left);
      const down = Date.now() - lastKill;
      const meanwhile = survivorsAcknowledged() - survivorsBefore;
      figures.downMs += down;
      figures.acknowledgedWhileDown += meanwhile;
      log(
        `crash ${crash}: killed ${victim.name} with ${report.acknowledged.length} messages and ${report.staffReplies.length} staff replies acknowledged so far ` +
          `(${instances.map((i) => `${i.name} ${i.tally.acknowledged}`).join(', ')}); ${victim.name} was down ${(down / 1000).toFixed(1)} s, ` +
          `in which ${survivors.map((i) => i.name).join(', ')} acknowledged ${meanwhile}; it left ${figures.locksLeft.at(-1)} conversation locks in Redis`,
      );
      const gone = survivors.filter((i) => current(i).child.exitCode !== null || current(i).child.signalCode !== null);
      if (gone.length > 0) {
        report.problems.push(`instance ${gone.map((i) => i.name).join(', ')} ended while ${victim.name} was being killed: ${current(gone[0]!).stderr().slice(-500)}`);
        break;
      }
    }
    steady.stop = true;
    await Promise.all(steadyLoops);
    clearInterval(sampler);
    figures.longestStall = longestStall(progress, kills, Date.now());
    // What the kills left is picked up by the holder of the expiry-sweep lease once it is a minute old.
    const db = reader;
    await delay(Math.max(0, lastKill + 3_500 - Date.now()));
    {
      const pending = (): Pending => pendingIn(db, lastKill);
      figures.pendingWhenLoadStopped = pending();
      const p = figures.pendingWhenLoadStopped;
      log(`load stopped ${((Date.now() - lastKill) / 1000).toFixed(1)} s after the last kill: ${p.outbox} outbox items pending, ${p.awaiting} messages awaiting their answer (${p.fromBeforeLastKill} from before the last kill, the oldest ${(p.oldestAgeMs / 1000).toFixed(1)} s old)`);
      const deadline = Date.now() + (options.pickupTimeoutMs ?? 240_000);
      let shown = `${p.outbox}/${p.awaiting}`;
      for (;;) {
        const now = pending();
        const holder = await leaseHolder();
        if (figures.sweepLease.whileWaiting.at(-1)?.holder !== holder || figures.sweepLease.whileWaiting.length === 0) {
          figures.sweepLease.whileWaiting.push({ holder, atMs: Date.now() - lastKill });
          log(`  ${((Date.now() - lastKill) / 1000).toFixed(1)} s after the last kill: the expiry-sweep lease is ${holder === null ? 'free' : `held by ${holder}`}`);
        }
        if (now.outbox === 0 && now.awaiting === 0) {
          figures.pickedUpAfterMs = Date.now() - lastKill;
          log(`nothing pending ${(figures.pickedUpAfterMs / 1000).toFixed(1)} s after the last kill`);
          break;
        }
        if (Date.now() > deadline) {
          report.problems.push(
            `${now.outbox} outbox items and ${now.awaiting} messages awaiting their answer were still pending ${((Date.now() - lastKill) / 1000).toFixed(0)} s after the last kill (the oldest ${(now.oldestAgeMs / 1000).toFixed(0)} s old)`,
          );
          break;
        }
        if (`${now.outbox}/${now.awaiting}` !== shown) {
          shown = `${now.outbox}/${now.awaiting}`;
          log(`  ${((Date.now() - lastKill) / 1000).toFixed(1)} s after the last kill: ${now.outbox} outbox items pending, ${now.awaiting} awaiting their answer`);
        }
        await delay(250);
      }
    }
    await delay(300);
    for (const k of figures.leftByKill) k.outboxEnded = outboxEnded(db, k.outbox);
  } finally {
    clearInterval(sampler);
    clearInterval(watcher);
    reader?.close();
    // Each instance finishes what it is sending on SIGTERM, then exits cleanly (0).
    const exits = await Promise.all(instances.filter((i) => i.processes.length > 0).map(async (i) => ({ instance: i, exit: await current(i).stop() })));
    for (const { instance, exit } of exits) {
      if (exit !== 0) report.problems.push(`instance ${instance.name} did not stop cleanly on SIGTERM (exit ${String(exit)}): ${current(instance).stderr().slice(-500)}`);
    }
    await platforms.stop();
    await forgetPrefix(redis, prefix);
    redis.disconnect();
  }
  for (const instance of instances) {
    figures.acknowledgedBy[instance.name] = instance.tally.acknowledged;
    figures.slowestMsBy[instance.name] = instance.tally.slowestMs;
  }
  check(database, fake, weixin, connector, report);
  rmSync(dir, { recursive: true, force: true });
  return { ...report, cluster: figures };
}

/** Outbox items pending and messages awaiting their answer, created up to `before`. */
function pendingIds(db: Database.Database, before: number): { outbox: number[]; awaiting: number[] } {
  return {
    outbox: db.prepare("SELECT id FROM outbox WHERE status = 'pending' AND created_at <= ?").pluck().all(before) as number[],
    awaiting: db.prepare('SELECT message_id FROM awaiting_answers WHERE created_at <= ?').pluck().all(before) as number[],
  };
}

/** How outbox items ended. */
function outboxEnded(db: Database.Database, ids: readonly number[]): KillLeftovers['outboxEnded'] {
  const ended = { sent: 0, undeliverable: 0, pending: 0 };
  const status = db.prepare('SELECT status FROM outbox WHERE id = ?').pluck();
  for (const id of ids) {
    const s = status.get(id) as keyof typeof ended | undefined;
    if (s) ended[s]++;
  }
  return ended;
}

/** Counts what is pending in the database (read-only), and how much of it is from before `lastKill`. */
function pendingIn(db: Database.Database, lastKill: number): Pending {
  const outbox = db.prepare("SELECT created_at FROM outbox WHERE status = 'pending'").pluck().all() as number[];
  const awaiting = db.prepare('SELECT created_at FROM awaiting_answers').pluck().all() as number[];
  const times = [...outbox, ...awaiting];
  return {
    outbox: outbox.length,
    awaiting: awaiting.length,
    fromBeforeLastKill: times.filter((t) => t <= lastKill).length,
    oldestAgeMs: times.length > 0 ? Date.now() - Math.min(...times) : 0,
  };
}

/** The longest spell without progress from the first kill to `end`, and after which kill (1-based) it began. */
function longestStall(progress: readonly { at: number }[], kills: readonly number[], end: number): ClusterFigures['longestStall'] {
  const longest = { ms: 0, crash: 0, afterKillMs: 0 };
  if (kills.length === 0) return longest;
  const times = [kills[0]!, ...progress.map((p) => p.at).filter((t) => t > kills[0]!), end];
  for (let i = 1; i < times.length; i++) {
    const ms = times[i]! - times[i - 1]!;
    if (ms <= longest.ms) continue;
    const crash = kills.filter((k) => k <= times[i - 1]!).length;
    Object.assign(longest, { ms, crash, afterKillMs: times[i - 1]! - kills[crash - 1]! });
  }
  return longest;
}

/** A connection to the Redis at `url`; fails clearly when none answers there. */
async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    if ((await redis.ping()) !== 'PONG') throw new Error('no PONG');
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new Error(`several instances need Redis: none answers at ${url} (${(err as Error).message}); start one, or pass --redis URL`);
  }
}

/** Every key starting with `prefix`. */
async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [nextCursor, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = nextCursor;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

/** Deletes the keys the instances left under the run's prefix (leases and locks expire; rate limits and the key fingerprint would stay). */
async function forgetPrefix(redis: Redis, prefix: string): Promise<void> {
  try {
    const keys = await keysUnder(redis, prefix);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  } catch {
    // Best effort: the prefix is the run's own, so what stays disturbs nobody.
  }
}
