/** Starts the server: wires storage, the engine, the human side, the HTTP app and whichever channels the composition root offers. */
import { watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { buildEngine } from '../bot-runtime.ts';
import type { Config } from '../config.ts';
import { answerAwaiting } from '../core/awaiting-answers.ts';
import { MessageService, type AnswerSource, type ThreadedSource } from '../core/message-service.ts';
import { loadKnowledgeBase, yamlCacheFile } from '../knowledge/knowledge-loader.ts';
import type { KnowledgeBase } from '../knowledge/types.ts';
import type { AwaitingMessage, OutboxItem } from '../core/ports.ts';
import { OutboundRouter } from '../core/outbound-router.ts';
import { HandoffService } from '../handoff/handoff-service.ts';
import { loadCannedReplies, loadServiceHours, type CannedReply } from '../handoff/handoff-settings.ts';
import { SecondFactor } from '../handoff/second-factor.ts';
import { DeviceCookies } from '../handoff/device-cookie.ts';
import { LoginThrottle } from '../handoff/login-throttle.ts';
import { PasswordHasher } from '../handoff/password-hasher.ts';
import { StaffAuth } from '../handoff/staff-auth.ts';
import { RefusalDelay } from './refusal-delay.ts';
import { createLogger, type Logger } from '../logger.ts';
import { TextSealer } from '../privacy/sealed-text.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { openStore } from '../store/open-store.ts';
import { restorePublishedEntries } from '../handoff/faq-publisher.ts';
import type { Store } from '../store/store.ts';
import { folderIsOpen } from '../store/private-files.ts';
import { createMetrics } from '../ops/metrics.ts';
import { checkReadiness } from '../ops/readiness.ts';
import { scheduleRetention, utcOffsetOf, type RetentionReport } from '../ops/retention.ts';
import { trackRequests, type RequestTracker } from '../ops/shutdown.ts';
import { CitizenRateLimits } from '../ops/rate-limits.ts';
import type { Engine } from '../core/engine.ts';
import { EnginePool } from '../threads/engine-pool.ts';
import { engineThreadCount } from '../threads/engine-thread-count.ts';
import { createApp } from './app.ts';
import { apiReplySender } from './messages-route.ts';
import type { ChannelAdapter, ChannelPlugin } from './channel-adapter.ts';
import { StaffLive } from './staff-live.ts';
import { checkSharedKey, joinCluster } from '../cluster/cluster.ts';
import { memoryLimiters, redisLimiters } from '../cluster/limiters.ts';
import { RedisConversationLocks } from '../cluster/conversation-locks.ts';

export interface RunningServer {
  url: string;
  server: Server;
  service: MessageService;
  store: Store;
  /** Sends later replies (staff, late answers) through the channel each conversation came from. */
  outbound: OutboundRouter;
  handoff: HandoffService;
  channels: ChannelAdapter[];
  /** The engine threads (ENGINE_THREADS) answering messages; null when the main thread answers. */
  engineThreads: EnginePool | null;
  /** Reloads the knowledge base; on failure the running engine stays and the error is returned. */
  reload(): Promise<Error | null>;
  /** Runs data retention now (RETENTION_DAYS; the server also runs it daily); null when it failed. */
  runRetention(): Promise<RetentionReport | null>;
  /** Stops accepting, waits for requests in flight (SHUTDOWN_TIMEOUT_MS), closes channels and the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** The channels to offer; each stays off unless `env` configures it. */
  channels?: readonly ChannelPlugin[];
  /** Where channels read their settings (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** The clock of the human side (tests use a fake one for response targets). */
  now?: () => Date;
  /** Aborted: a start still waiting for the database gives up (a SIGTERM then stops the process). */
  signal?: AbortSignal;
}

/** How often unanswered cases are checked for expiry. */
const SWEEP_MS = 30_000;
/** The cluster bus channel on which an instance that reloaded its knowledge base tells the others. */
const KNOWLEDGE_CHANNEL = 'knowledge:changed';

/** An outbox item or an acknowledged message older than this is not in anyone's hands any more. */
const LEFT_BEHIND_MS = 60_000;

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const started = performance.now();
  /** Analysis-cache counts of the engines on this thread (a reload's engine carries them on). */
  const analysisStats = { hits: 0, misses: 0 };
  // With engine threads, this thread keeps no model: a model of JS objects would lengthen each of its garbage
  // collections, which stop HTTP, sockets and the writer. It builds one only if the threads fail.
  const loadEngineHere = (knowledge?: KnowledgeBase): Promise<Engine> => buildEngine(config, { analysisStats }, undefined, knowledge);
  const onThreads = (pool: EnginePool, kb: KnowledgeBase): ThreadedSource => ({
    responder: pool,
    knowledge: { kb, modelInfo: pool.modelInfo },
    loadEngine: loadEngineHere,
  });
  const engineSettings = { KNOWLEDGE_DIR: config.KNOWLEDGE_DIR, INTENTS_DIR: config.INTENTS_DIR, MODEL_CACHE_DIR: config.MODEL_CACHE_DIR, ENGINE: config.ENGINE, DECISION_STRICTNESS: config.DECISION_STRICTNESS };
  const threads = engineThreadCount(config.ENGINE_THREADS);
  // The knowledge base is read here first, so that a broken file is reported as such, not as a thread failure.
  // At start its YAML comes from the cache kept in MODEL_CACHE_DIR where the files are unchanged.
  const kb = loadKnowledgeBase(config.KNOWLEDGE_DIR, { yamlCache: yamlCacheFile(config.MODEL_CACHE_DIR) });
  const pool =
    threads === 0
      ? null
      : await EnginePool.start(engineSettings, threads, (problem) => logger.warn(problem), kb).then(
          (started) => {
            logger.info({ threads: started.size }, 'engine threads answering');
            return started;
          },
          (err: Error) => {
            logger.warn({ err: err.message }, 'engine threads could not start; the main thread answers');
            return null;
          },
        );
  const source: AnswerSource = pool ? onThreads(pool, kb) : await loadEngineHere(kb);
  const hours = loadServiceHours(config.KNOWLEDGE_DIR);
  let cannedReplies: CannedReply[] = loadCannedReplies(config.KNOWLEDGE_DIR);
  const cluster = await joinCluster(config, (problem) => logger.error({ problem }, 'what the instances share cannot be reached; readiness reports it until it can'));
  /** True when this instance is one of several (REDIS_URL); then readiness and metrics report Redis too. */
  const clustered = cluster.redis !== null;
  const clusterProblem = clustered ? { cluster: () => cluster.problem() } : {};
  const store = await openStore(config, {
    server: true,
    signal: options.signal,
    onWaiting: (problem, retryInMs) => logger.error({ problem, retryInMs }, 'waiting for the database (the server starts once it can be opened)'),
  });
  /** The embedded SQLite store, when that is the one (its group commit and checkpoints have figures and a thread). */
  const sqlite = store instanceof SqliteStore ? store : null;
  sqlite?.checkpointer?.on('problem', (problem) => logger.warn(problem));
  const dataFolder = dirname(config.DATABASE_PATH);
  if (sqlite && config.DATABASE_PATH !== ':memory:' && folderIsOpen(dataFolder)) logger.warn({ folder: dataFolder }, 'the database folder can be read by other users; make it 0700 (chmod 700)');
  const service = new MessageService(store, source);
  pool?.on('restarted', () => service.releaseEngine());
  service.on('demand', (d) => logger.info({ demand: { reason: d.reason, channel: d.channel, text: d.text } }, 'demand signal'));
  service.on('handled', (m, r, ms) => logger.info({ channel: m.channel, outcome: r.outcome, ms: Math.round(ms) }, 'message answered'));
  const limiters = cluster.redis ? redisLimiters(cluster.redis, cluster.prefix) : memoryLimiters;
  const limits = new CitizenRateLimits(
    {
      ipPerMinute: config.RATE_LIMIT_IP_PER_MINUTE,
      conversationPerMinute: config.RATE_LIMIT_CONVERSATION_PER_MINUTE,
      trustProxy: config.TRUST_PROXY,
    },
    limiters,
    clustered,
  );
  const outbound = new OutboundRouter(store);
  outbound.register(apiReplySender);
  const handoff = new HandoffService({
    store,
    outbound,
    hours,
    policy: { mode: config.ESCALATION_POLICY, missesBeforeEscalation: config.ESCALATION_AFTER_MISSES },
    departmentOf: (entryId) => service.knowledgeBase.entries.find((e) => e.id === entryId)?.department,
    candidatesFor: (text) => service.candidates(text),
    now: options.now,
  });
  service.setInterceptor(handoff);
  const sealer = config.DATA_KEY ? TextSealer.fromBase64(config.DATA_KEY) : TextSealer.fromKeyFile(join(dirname(config.DATABASE_PATH), 'data.key'));
  service.setSealer(sealer);
  if (cluster.redis) service.setConversationLocks(new RedisConversationLocks(cluster.redis, cluster.prefix));
  try {
    if (!(await checkSharedKey(cluster, sealer.deriveKey('huiying data key fingerprint'), config.REDIS_URL ?? ''))) {
      logger.warn('could not check that the other instances use the same DATA_KEY (Redis unreachable)');
    }
  } catch (err) {
    await cluster.close();
    await store.close();
    await pool?.close();
    throw err;
  }
  const hasher = new PasswordHasher({ maxQueue: config.LOGIN_HASH_QUEUE });
  const throttle = new LoginThrottle(
    {
      addressFailuresPerHour: config.LOGIN_ADDRESS_FAILURES_PER_HOUR,
      accountFailuresPerHour: config.LOGIN_ACCOUNT_FAILURES_PER_HOUR,
      attemptsPerMinute: config.LOGIN_ATTEMPTS_PER_MINUTE,
    },
    limiters,
  );
  const auth = new StaffAuth(store, { throttle, hasher, devices: new DeviceCookies(sealer.deriveKey('huiying device cookies')) }, options.now, {
    secondFactor: new SecondFactor(store, sealer, options.now),
    secondFactorRequiredFor: config.STAFF_REQUIRE_2FA ? ['supervisor', 'admin'] : [],
  });
  const channels: ChannelAdapter[] = [];
  let server: Server | undefined;
  const live = new StaffLive(auth, store, handoff, cluster.bus, logger);
  let closing = false;
  const metrics = createMetrics({
    service,
    handoff,
    escalations: store.escalations,
    now: options.now,
    ...(sqlite ? { groupCommit: () => sqlite.batcher.stats, walSyncs: sqlite.batcher } : {}),
    logins: { auth, hashQueue: () => hasher.queued },
    engineThreads: () => (closing ? 0 : (pool?.size ?? 0)),
    ...clusterProblem,
    engineHedged: () => pool?.hedged ?? 0,
    analysisCache: () => ({
      hits: analysisStats.hits + (pool?.analysisStats.hits ?? 0),
      misses: analysisStats.misses + (pool?.analysisStats.misses ?? 0),
    }),
  });
  let tracker: RequestTracker | undefined;

  let reloading: Promise<Error | null> | null = null;
  const reload = (): Promise<Error | null> => {
    // With threads (v1), a new generation of them builds the new engine while the current one answers; v2 threads rebuild in place, one at a time.
    reloading ??= (async () => {
      if (pool) {
        // Unchanged files come from this process's own parses: the kept YAML (a JSON file as large as the base)
        // is read and written at start only, not on the main thread at every publish.
        const next = loadKnowledgeBase(config.KNOWLEDGE_DIR);
        await pool.rebuild(next);
        service.useResponder(onThreads(pool, next));
        logger.info({ entries: next.entries.length }, 'knowledge base reloaded');
      } else {
        const next = await loadEngineHere();
        service.setEngine(next);
        logger.info({ entries: next.knowledgeBase.entries.length }, 'knowledge base reloaded');
      }
      cannedReplies = loadCannedReplies(config.KNOWLEDGE_DIR);
      return null;
    })()
      .catch((err: Error) => {
        logger.error({ err: err.message }, 'knowledge base reload failed; still serving the last good one');
        return err;
      })
      .finally(() => {
        reloading = null;
      });
    return reloading;
  };

  /** Replies never sent and messages never answered: all of them for one instance, the left-behind ones for several. */
  function leftovers(several: boolean, now?: () => Date): { unsent: () => Promise<OutboxItem[]>; awaiting: () => Promise<AwaitingMessage[]> } {
    const before = (): number => (now?.() ?? new Date()).getTime() - LEFT_BEHIND_MS;
    return {
      unsent: async () => (await store.outbox.pending()).filter((o) => !several || o.createdAt.getTime() < before()),
      awaiting: async () => (await store.messages.awaitingAnswers()).filter((m) => !several || m.acknowledgedAt.getTime() < before()),
    };
  }

  /** Reloads here, then tells the other instances (whose knowledge folder may be on another machine) to reload. */
  const announceReload = (): void => {
    cluster.bus.publish(KNOWLEDGE_CHANNEL, cluster.bus.instanceId).catch((err: Error) => logger.warn({ err: err.message }, 'cannot tell the other instances to reload'));
  };
  const reloadEverywhere = async (): Promise<Error | null> => {
    const failed = await reload();
    if (!failed) announceReload();
    return failed;
  };
  /** Writes here the entries published on other machines (the database has them; this knowledge folder may not). */
  const restorePublished = async (): Promise<number> => {
    const written = restorePublishedEntries(config.KNOWLEDGE_DIR, await store.faqDrafts.list('published'));
    if (written.length > 0) logger.info({ files: written.length }, 'wrote entries published on another instance into the knowledge folder');
    return written.length;
  };
  const onKnowledgeChanged = (from: string): void => {
    if (from === cluster.bus.instanceId) return;
    restorePublished()
      .catch((err: Error) => logger.error({ err: err.message }, 'cannot write the entries published on another instance'))
      .finally(() => void reload());
  };
  await cluster.bus.subscribe(KNOWLEDGE_CHANNEL, onKnowledgeChanged);
  // An instance joining later (or a machine restored from an older image) starts without what was published meanwhile.
  if (clustered && (await restorePublished()) > 0) await reload();

  const stopAll = async (): Promise<void> => {
    if (tracker) {
      // Stop accepting; requests in flight get their answers (and are stored) before anything closes.
      if (tracker.active) logger.info({ inFlight: tracker.active }, 'waiting for requests in flight');
      if (!(await tracker.drain(config.SHUTDOWN_TIMEOUT_MS))) {
        logger.warn({ inFlight: tracker.active, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown timeout: closing requests still in flight');
      }
    }
    for (const channel of channels) await channel.stop?.().catch(() => undefined);
    live.close();
    await cluster.bus.unsubscribe(KNOWLEDGE_CHANNEL, onKnowledgeChanged);
    if (tracker) await tracker.closeAll();
    else if (server) {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    closing = true;
    await pool?.close();
    metrics.close();
    await auth.close();
    await cluster.close();
    await sqlite?.checkpointer?.stop();
    await store.close();
  };

  // Replies a previous run stored but never sent (a crash mid-delivery), read before new ones can be queued.
  // With several instances, only those older than any delivery or answer still in progress elsewhere.
  const leftBehind = leftovers(clustered, options.now);
  const [unsent, awaiting] = await Promise.all([leftBehind.unsent(), leftBehind.awaiting()]);
  try {
    for (const plugin of options.channels ?? []) {
      const adapter = await plugin.create(options.env ?? process.env, { service, store, logger: logger.child({ channel: plugin.name }), limits, bus: cluster.bus, clustered });
      if (!adapter) continue;
      channels.push(adapter);
      outbound.register(adapter);
    }
    const app = createApp({
      service,
      store,
      logger,
      maxMessageLength: config.MAX_MESSAGE_LENGTH,
      limits,
      channels,
      trustProxy: config.TRUST_PROXY,
      publicUrl: config.PUBLIC_URL,
      ops: {
        readiness: () => checkReadiness({ store, service, draining: () => tracker?.draining ?? false, ...clusterProblem }),
        metrics,
        metricsToken: config.METRICS_TOKEN,
      },
      staff: {
        handoff,
        auth,
        knowledgeDir: config.KNOWLEDGE_DIR,
        reload: reloadEverywhere,
        reloadHere: reload,
        announceReload,
        cannedReplies: () => cannedReplies,
        sealer,
        refusalDelay: new RefusalDelay(config.LOGIN_REFUSAL_DELAY_MS),
        outbound,
        counting: { windowMs: config.DEMAND_DEDUP_HOURS * 3_600_000, floodMessages: config.DEMAND_FLOOD_MESSAGES },
      },
    });
    server = await new Promise<Server>((resolve, reject) => {
      // Express 5 calls back with the error too (EADDRINUSE): the port must really be listening.
      const s = app.listen(config.PORT, config.HOST, (err?: Error) => (err ? reject(new Error(`cannot listen on ${config.HOST}:${config.PORT}: ${err.message}`)) : resolve(s)));
    });
    tracker = trackRequests(server);
    live.attach(server);
    for (const channel of channels) channel.attach?.(server);
    for (const channel of channels) await channel.start?.();
  } catch (err) {
    await stopAll();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  // With several instances only the sweep lease's holder picks leftovers up (at start, then in its sweeps, which
  // begin after this): instances starting together would otherwise each answer and re-send the same ones.
  const picksUp = !clustered || (await cluster.leases.hold('expiry-sweep', SWEEP_MS * 3).catch(() => false));
  const resent = picksUp ? await outbound.flushPending(unsent) : 0;
  const late = picksUp ? await answerAwaiting(awaiting, { service, store, outbound }) : null;
  if (late && awaiting.length > 0) logger.warn({ late }, 'answered messages a previous run acknowledged but did not answer (it stopped in between)');
  let sweeping = false;
  const sweep = setInterval(() => {
    // One instance of a deployment sweeps (the lease outlives two sweeps, so its holder keeps it while alive);
    // with several, it also re-sends and answers what an instance that died left behind.
    if (sweeping) return;
    sweeping = true;
    cluster.leases
      .hold('expiry-sweep', SWEEP_MS * 3)
      .then(async (held) => {
        if (!held) return;
        await handoff.sweep();
        if (!clustered) return;
        const resentLate = await outbound.flushPending(await leftBehind.unsent());
        const answeredLate = await answerAwaiting(await leftBehind.awaiting(), { service, store, outbound });
        if (resentLate > 0 || answeredLate.answered > 0) logger.warn({ resent: resentLate, answered: answeredLate.answered }, 'delivered what another instance left behind');
      })
      .catch((err: Error) => logger.error({ err: err.message }, 'expiry sweep failed'))
      .finally(() => {
        sweeping = false;
      });
  }, SWEEP_MS);
  sweep.unref();
  const retention = scheduleRetention(store, {
    days: config.RETENTION_DAYS,
    mode: config.RETENTION_MODE,
    utcOffsetMs: utcOffsetOf(hours),
    now: options.now,
    logger,
    lease: () => cluster.leases.hold('retention', 2 * 86_400_000),
  });
  logger.info(
    { url, entries: service.knowledgeBase.entries.length, channels: channels.map((c) => c.name), resent, ms: Math.round(performance.now() - started) },
    'huiying is listening',
  );

  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(config.KNOWLEDGE_DIR, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 500);
    });
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'cannot watch the knowledge folder; use SIGHUP to reload');
  }
  const onHup = (): void => void reload();
  process.on('SIGHUP', onHup);

  return {
    url,
    server,
    service,
    store,
    outbound,
    handoff,
    channels,
    engineThreads: pool,
    reload: reloadEverywhere,
    runRetention: () => retention.run(),
    close: async () => {
      logger.info({ inFlight: tracker?.active ?? 0 }, 'shutting down');
      clearTimeout(timer);
      clearInterval(sweep);
      retention.stop();
      watcher?.close();
      process.off('SIGHUP', onHup);
      await stopAll();
      logger.info('stopped: connections closed, database closed');
    },
  };
}
