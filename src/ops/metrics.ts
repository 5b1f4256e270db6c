/**
 * Prometheus metrics (prom-client), in a registry of their own per server so that several servers can run in
 * one process (tests). Counters and the latency histogram follow the message service's events; the queue
 * gauges are read from the database on each scrape.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AnalysisCacheStats } from '../core/engine.ts';
import type { EngineResult, IncomingMessage } from '../core/message.ts';
import type { MessageService } from '../core/message-service.ts';
import type { HandoffService } from '../handoff/handoff-service.ts';
import type { LoginFailure, StaffAuth } from '../handoff/staff-auth.ts';
import { GENERAL_QUEUE } from '../handoff/routing.ts';
import type { EscalationRepository } from '../handoff/ports.ts';
import { OPEN_STATES, type Escalation } from '../handoff/types.ts';
import type { DemandRecord } from '../core/ports.ts';
import type { EventEmitter } from 'node:events';
import type { WriteBatcherEvents } from '../store/sqlite/write-batcher.ts';

export interface MetricsDeps {
  service: MessageService;
  handoff?: HandoffService;
  /** The cases the queue gauges are read from. */
  escalations: Pick<EscalationRepository, 'countOpen' | 'countOverdue' | 'oldestWaiting'>;
  /** The clock response targets are measured against (tests use a fake one). */
  now?: () => Date;
  /** The store's group-commit counters: transactions committed and units of work they carried. */
  groupCommit?: () => { batches: number; writes: number };
  /** The store's writer, whose `synced` events (WAL fsync times) feed a histogram. */
  walSyncs?: EventEmitter<WriteBatcherEvents>;
  /** Staff logins: failures (StaffAuth's `failure` events) and the logins waiting for the hashing thread. */
  logins?: { auth: StaffAuth; hashQueue: () => number };
  /** Engine threads running now (ENGINE_THREADS). */
  engineThreads?: () => number;
  /** With several instances: why Redis cannot be reached, or null (absent: this instance alone, no gauge). */
  cluster?: () => string | null;
  /** Requests the engine threads sent to a second thread (hedged). */
  engineHedged?: () => number;
  /** Texts whose analysis came from the engines' memory (hits) or was computed (misses), all threads, since the start. */
  analysisCache?: () => AnalysisCacheStats;
}

export interface Metrics {
  registry: Registry;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
  /** Stops listening to the services' events. */
  close(): void;
}


export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const now = deps.now ?? (() => new Date());
  collectDefaultMetrics({ register: registry });

  const messages = new Counter({
    name: 'huiying_messages_total',
    help: 'Messages answered, by channel and outcome (answered, clarify, unanswered, escalated, staff, smalltalk).',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'huiying_answer_duration_seconds',
    help: 'Time from receiving a message to having its answer stored, by channel.',
    labelNames: ['channel'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const demand = new Counter({
    name: 'huiying_demand_signals_total',
    help: 'Questions the bot could not answer well, by reason (no_match, ambiguous, not_helpful, asked_for_human).',
    labelNames: ['reason'] as const,
    registers,
  });
  const caseChanges = new Counter({
    name: 'huiying_escalation_changes_total',
    help: 'Escalation cases opened or changed, by the state they are in afterwards.',
    labelNames: ['state'] as const,
    registers,
  });

  const departments = (): string[] => {
    try {
      return [...deps.service.knowledgeBase.departments.map((d) => d.id), GENERAL_QUEUE];
    } catch {
      return [GENERAL_QUEUE];
    }
  };
  /** Runs a read for a gauge; a closed or broken database leaves the gauge empty instead of failing the scrape. */
  const read = async <T>(fn: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await fn();
    } catch {
      return fallback;
    }
  };

  new Gauge({
    name: 'huiying_escalations_open',
    help: 'Open escalation cases, by department and state (pending, assigned, transferred, expired).',
    labelNames: ['department', 'state'] as const,
    registers,
    async collect() {
      const rows = await read(() => deps.escalations.countOpen(), []);
      this.reset();
      for (const d of departments()) for (const s of OPEN_STATES) this.set({ department: d, state: s }, 0);
      for (const r of rows) this.set({ department: r.department, state: r.state }, r.count);
    },
  });
  new Gauge({
    name: 'huiying_escalations_overdue',
    help: 'Open cases with no staff reply yet whose first-response target (due time) has passed, by department.',
    labelNames: ['department'] as const,
    registers,
    async collect() {
      const rows = await read(() => deps.escalations.countOverdue(now()), []);
      this.reset();
      for (const d of departments()) this.set({ department: d }, 0);
      for (const r of rows) this.set({ department: r.department }, r.count);
    },
  });
  new Gauge({
    name: 'huiying_queue_oldest_age_seconds',
    help: 'Age of the oldest case waiting in a department queue (pending, transferred or expired); 0 when empty.',
    labelNames: ['department'] as const,
    registers,
    async collect() {
      const rows = await read(() => deps.escalations.oldestWaiting(), []);
      this.reset();
      for (const d of departments()) this.set({ department: d }, 0);
      const at = now().getTime();
      for (const r of rows) this.set({ department: r.department }, Math.max(0, (at - r.since.getTime()) / 1000));
    },
  });
  new Gauge({
    name: 'huiying_model_training_seconds',
    help: 'How long training the running model took (when it was trained; a cached model keeps its original figure).',
    registers,
    collect() {
      this.set(deps.service.modelInfo.trainMs / 1000);
    },
  });
  new Gauge({
    name: 'huiying_model_from_cache',
    help: '1 when the running model was loaded from the model cache, 0 when it was trained at start or reload.',
    registers,
    collect() {
      this.set(deps.service.modelInfo.fromCache ? 1 : 0);
    },
  });
  const groupCommit = deps.groupCommit;
  if (groupCommit) {
    new Gauge({
      name: 'huiying_store_commits',
      help: 'Group commits (write transactions) since the start.',
      registers,
      collect() {
        this.set(groupCommit().batches);
      },
    });
    new Gauge({
      name: 'huiying_store_writes',
      help: 'Units of work (a message with its answer, an outbox update, …) committed since the start; divided by huiying_store_commits: writes per fsync.',
      registers,
      collect() {
        this.set(groupCommit().writes);
      },
    });
  }
  const cluster = deps.cluster;
  if (cluster) {
    new Gauge({
      name: 'huiying_redis_up',
      help: '1 while the Redis shared by the instances (REDIS_URL) answers, 0 while it cannot be reached.',
      registers,
      collect() {
        this.set(cluster() === null ? 1 : 0);
      },
    });
  }
  new Gauge({
    name: 'huiying_engine_threads',
    help: 'Engine threads answering messages now (0: the main thread answers).',
    registers,
    collect() {
      this.set(deps.engineThreads?.() ?? 0);
    },
  });
  new Counter({
    name: 'huiying_engine_hedged_total',
    help: 'Requests sent to a second engine thread because the first had not answered in 25 ms (a garbage-collection pause) or failed.',
    registers,
    collect() {
      this.reset();
      this.inc(deps.engineHedged?.() ?? 0);
    },
  });
  const walSync = new Histogram({
    name: 'huiying_store_sync_seconds',
    help: "Time the disk took to make a group commit durable (fsync of SQLite's WAL); every message waits for one before it is acknowledged.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });
  const onSynced = (ms: number): void => walSync.observe(ms / 1000);
  deps.walSyncs?.on('synced', onSynced);
  const analysisCache = deps.analysisCache;
  if (analysisCache) {
    new Gauge({
      name: 'huiying_engine_analyses',
      help: 'Texts the engines analysed since the start, by source: "memory" (the same text was analysed lately) or "computed".',
      labelNames: ['source'] as const,
      registers,
      collect() {
        const { hits, misses } = analysisCache();
        this.set({ source: 'memory' }, hits);
        this.set({ source: 'computed' }, misses);
      },
    });
  }
  const fallbacks = new Counter({
    name: 'huiying_engine_thread_fallbacks_total',
    help: 'Messages the main thread answered because their engine thread failed or died.',
    registers,
  });
  new Gauge({
    name: 'huiying_knowledge_entries',
    help: 'Entries in the running knowledge base.',
    registers,
    collect() {
      this.set(deps.service.knowledgeBase.entries.length);
    },
  });

  const loginFailures = new Counter({
    name: 'huiying_staff_login_failures_total',
    help: 'Failed staff logins, by reason (invalid: wrong name or password; throttled: a login limit, 429; busy: too many at once, 503) and limit (none, pair, address, account, global, queue).',
    labelNames: ['reason', 'limit'] as const,
    registers,
  });
  const logins = deps.logins;
  if (logins) {
    new Gauge({
      name: 'huiying_staff_login_hash_queue',
      help: 'Staff logins waiting for the password-hashing thread (at most LOGIN_HASH_QUEUE, plus one for device cookies).',
      registers,
      collect() {
        this.set(logins.hashQueue());
      },
    });
  }
  const onLoginFailure = (failure: LoginFailure): void => {
    loginFailures.inc({ reason: failure.reason, limit: failure.reason === 'invalid' ? 'none' : failure.limit });
  };
  logins?.auth.events.on('failure', onLoginFailure);

  const onHandled = (message: IncomingMessage, result: EngineResult, ms: number): void => {
    messages.inc({ channel: message.channel, outcome: result.outcome });
    latency.observe({ channel: message.channel }, ms / 1000);
  };
  const onDemand = (record: DemandRecord): void => {
    demand.inc({ reason: record.reason });
  };
  const onChanged = (escalation: Escalation): void => {
    caseChanges.inc({ state: escalation.state });
  };
  const onFallback = (): void => fallbacks.inc();
  deps.service.on('handled', onHandled);
  deps.service.on('demand', onDemand);
  deps.service.on('responderFailed', onFallback);
  deps.handoff?.on('changed', onChanged);

  return {
    registry,
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    close() {
      deps.service.off('handled', onHandled);
      deps.service.off('demand', onDemand);
      deps.service.off('responderFailed', onFallback);
      deps.handoff?.off('changed', onChanged);
      deps.walSyncs?.off('synced', onSynced);
      logins?.auth.events.off('failure', onLoginFailure);
      registry.clear();
    },
  };
}
