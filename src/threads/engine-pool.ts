/**
 * Engine threads: the matching runs on other cores while the main thread does HTTP, sockets and the one
 * SQLite writer. Each thread holds its own copy of the model; the first of a generation trains it on a cold
 * cache and writes the cache, the others load it from there. A request goes to the thread with the fewest in
 * flight; a thread that dies fails its requests (the caller answers them on the main thread) and is started
 * again. A new knowledge base gets a new generation of threads, swapped in once all of it is ready.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { ConversationState } from '../core/conversation-state.ts';
import type { AnalysisCacheStats, EngineTurn, Responder } from '../core/engine.ts';
import type { Candidate, IncomingMessage } from '../core/message.ts';
import type { KnowledgeBase } from '../knowledge/types.ts';
import { cachedV2Index } from '../nlu/v2-cache-files.ts';
import type { EngineThreadSettings, FromEngineThread, ThreadReloaded, ToEngineThread } from './engine-protocol.ts';

/** How long a thread may take to load its model (a cold cache means training). */
const START_TIMEOUT_MS = 10 * 60_000;
/** The least time between restarts of a thread that keeps dying. */
const RESTART_DELAY_MS = 5_000;
/**
 * A request its thread has not answered after this long is sent to a second thread as well, and the first
 * answer wins (a hedged request): a thread pausing for a full garbage collection of its model then delays a
 * message by this much, not by the pause. Answers normally take a few milliseconds.
 */
const HEDGE_AFTER_MS = 25;
/** How long a thread of a replaced generation may take to finish the requests it holds. */
const RETIRE_TIMEOUT_MS = 30_000;

/** How a thread's model was obtained. */
export interface ThreadModelInfo {
  trainMs: number;
  fromCache: boolean;
}

/** The worker is TypeScript: it registers tsx in its own thread, then loads the engine worker module. */
function bootstrap(): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new URL('./engine-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  sentAt: number;
}

/** What a thread holding a request past the hedging delay counts as, so that new requests go elsewhere. */
const OVERDUE_LOAD = 1_000;

class EngineThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private alive = false;
  private retiring = false;
  model: ThreadModelInfo = { trainMs: 0, fromCache: false };
  /** Engine v2: the thread's model buffer, for the other threads of its generation to map. */
  shared: SharedArrayBuffer | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly onExit: (thread: EngineThread, code: number) => void,
    private readonly analysis: AnalysisCacheStats,
  ) {}

  static start(settings: EngineThreadSettings, onExit: (thread: EngineThread, code: number) => void, analysis: AnalysisCacheStats): Promise<EngineThread> {
    const worker = new Worker(bootstrap(), { eval: true, workerData: settings });
    const thread = new EngineThread(worker, onExit, analysis);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('the engine thread did not load its model in time'));
        void worker.terminate();
      }, START_TIMEOUT_MS);
      worker.on('message', (message: FromEngineThread) => {
        if (message.kind === 'ready') {
          clearTimeout(timer);
          thread.alive = true;
          thread.model = message.model;
          thread.shared = message.shared;
          resolve(thread);
        } else if (message.kind === 'failed') {
          clearTimeout(timer);
          reject(new Error(`the engine thread could not build its engine: ${message.error}`));
        } else thread.settle(message);
      });
      worker.on('error', (err) => {
        clearTimeout(timer);
        if (!thread.alive) reject(err);
      });
      worker.on('exit', (code) => {
        clearTimeout(timer);
        const wasAlive = thread.alive;
        thread.alive = false;
        for (const p of thread.pending.values()) p.reject(new Error(`the engine thread stopped (exit code ${code})`));
        thread.pending.clear();
        if (wasAlive) onExit(thread, code);
        else reject(new Error(`the engine thread stopped while starting (exit code ${code})`));
      });
    });
  }

  /** Requests in flight; a thread sitting on one past the hedging delay (paused) counts as busy. */
  get load(): number {
    if (!this.alive || this.retiring) return Number.POSITIVE_INFINITY;
    const oldest = this.pending.values().next().value;
    const overdue = oldest !== undefined && performance.now() - oldest.sentAt > HEDGE_AFTER_MS;
    return this.pending.size + (overdue ? OVERDUE_LOAD : 0);
  }

  request<T>(make: (id: number) => ToEngineThread): Promise<T> {
    if (!this.alive) return Promise.reject(new Error('the engine thread is not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, sentAt: performance.now() });
      this.worker.postMessage(make(id));
    });
  }

  private settle(message: Exclude<FromEngineThread, { kind: 'ready' | 'failed' }>): void {
    const p = this.pending.get(message.id);
    if (!p) return;
    this.pending.delete(message.id);
    if (message.kind === 'turn') {
      this.analysis.hits += message.analysis.hits;
      this.analysis.misses += message.analysis.misses;
      p.resolve(message.turn);
    }
    else if (message.kind === 'value') p.resolve(message.value);
    else p.reject(new Error(message.error));
  }

  async stop(): Promise<void> {
    this.alive = false;
    await this.worker.terminate();
  }

  /** Takes no new requests, finishes those it holds (within a time limit), then stops. */
  async retire(): Promise<void> {
    this.retiring = true;
    const deadline = Date.now() + RETIRE_TIMEOUT_MS;
    while (this.pending.size > 0 && this.alive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.stop();
  }

  /** For tests of the recovery: ends the thread as a crash would. */
  kill(): Promise<number> {
    return this.worker.terminate();
  }

  /** For tests of hedging: blocks the thread for `ms`, as a long garbage-collection pause would. */
  stall(ms: number): void {
    this.worker.postMessage({ kind: 'stall', ms } satisfies ToEngineThread);
  }
}

/** `restarted`: a thread that had stopped runs again. */
export class EnginePool extends EventEmitter<{ restarted: [] }> implements Responder {
  private closed = false;
  private lastRestart = 0;
  private turns = 0;
  private hedges = 0;
  /** Analysis-cache hits and misses of all threads, past ones included. */
  readonly analysisStats: AnalysisCacheStats = { hits: 0, misses: 0 };

  private threads: EngineThread[] = [];

  private constructor(
    private readonly settings: EngineThreadSettings,
    private readonly configuredSize: number,
    private readonly onProblem: (message: string) => void,
  ) {
    super();
  }

  /** Starts `size` threads and resolves once every one has built its engine. */
  static async start(
    settings: EngineThreadSettings,
    size: number,
    onProblem: (message: string) => void = () => undefined,
    /** The knowledge base as the caller just loaded it from KNOWLEDGE_DIR, sent to the threads instead of each reading it. */
    knowledge?: KnowledgeBase,
  ): Promise<EnginePool> {
    const pool = new EnginePool(settings, size, onProblem);
    pool.threads = await pool.startGeneration(knowledge);
    return pool;
  }

  /**
   * Starts a generation of threads on the folders as they are now: the first alone (on a cold cache it trains
   * and writes the cache), then the others, which load the model from the cache. With engine v2 and the
   * knowledge base's index in the cache, that index is read here and all threads start at once mapping it.
   */
  private async startGeneration(knowledge?: KnowledgeBase): Promise<EngineThread[]> {
    const start = (settings: EngineThreadSettings): Promise<EngineThread> => EngineThread.start(settings, (t, code) => this.restart(t, code), this.analysisStats);
    const settings = knowledge ? { ...this.settings, knowledge } : this.settings;
    // Engine v2 with its index in the cache: read once here, and every thread maps it and starts at once.
    const cached = knowledge && settings.ENGINE === 'v2' ? cachedV2Index(settings.MODEL_CACHE_DIR, knowledge.hash) : null;
    if (cached) return this.startAll(start, { ...settings, sharedModel: cached });
    const first = await start(settings);
    // Engine v2: the others map the first one's model buffer instead of each reading a copy.
    const rest = first.shared ? { ...settings, sharedModel: first.shared } : settings;
    return this.startAll(start, rest, [first]);
  }

  /** Starts the threads that `started` lacks of the configured number, all at once; if one fails, stops them all. */
  private async startAll(start: (settings: EngineThreadSettings) => Promise<EngineThread>, settings: EngineThreadSettings, started: EngineThread[] = []): Promise<EngineThread[]> {
    const results = await Promise.allSettled(Array.from({ length: this.configuredSize - started.length }, () => start(settings)));
    const threads = [...started, ...results.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))];
    const failure = results.find((s) => s.status === 'rejected');
    if (failure) {
      await Promise.all(threads.map((t) => t.stop()));
      throw failure.reason as Error;
    }
    return threads;
  }

  /** How the model of the threads answering now was obtained. */
  get modelInfo(): ThreadModelInfo {
    return this.threads[0]?.model ?? { trainMs: 0, fromCache: false };
  }

  /**
   * Builds the engine again from the folders. Engine v1: on a new generation of threads while the current one
   * answers, then swapped in at once; the old threads finish what they hold and stop. Engine v2: each thread in
   * turn, in place, while the others answer (see reloadInPlace). On failure nothing changes.
   */
  async rebuild(
    /** The knowledge base as the caller just loaded it from KNOWLEDGE_DIR, sent to v2 threads instead of each reading it. */
    knowledge: KnowledgeBase | null = null,
    /** Engine v2: how long one thread may take to rebuild before it is stopped (and a new one started). */
    options: { reloadTimeoutMs?: number } = {},
  ): Promise<void> {
    if (this.settings.ENGINE === 'v2' && (await this.reloadInPlace(knowledge, options.reloadTimeoutMs ?? START_TIMEOUT_MS))) return;
    const fresh = await this.startGeneration(knowledge ?? undefined);
    if (this.closed) {
      await Promise.all(fresh.map((t) => t.stop()));
      return;
    }
    const old = this.threads;
    this.threads = fresh;
    await Promise.all(old.map((t) => t.retire()));
  }

  /**
   * Engine v2: asks each running thread in turn to build its engine again; the first builds or loads the
   * model (a live edit over the cached base, or a full build), the others map its buffer. A thread rebuilding
   * holds a request, so new ones go to the others (and past the hedging delay, ones it holds too). False when
   * a thread after the first failed, leaving the threads on different knowledge: the caller starts a new
   * generation instead. Throws, with nothing changed, when the first fails (a knowledge base that does not load).
   * A thread that takes longer than `timeoutMs` is stopped, so that it cannot hold every later reload; the
   * thread started in its place reads the knowledge folder as it is now.
   */
  private async reloadInPlace(knowledge: KnowledgeBase | null, timeoutMs: number): Promise<boolean> {
    const running = this.threads.filter((t) => Number.isFinite(t.load));
    if (running.length === 0) return false;
    let shared: SharedArrayBuffer | null = null;
    for (const [i, thread] of running.entries()) {
      try {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
        const reloaded = await Promise.race([thread.request<ThreadReloaded>((id) => ({ kind: 'reload', id, shared, knowledge })), timedOut]).finally(() => clearTimeout(timer));
        if (!reloaded) {
          this.onProblem(`an engine thread did not reload within ${timeoutMs} ms; stopping it (the new one reads the knowledge folder)`);
          await thread.kill();
          continue;
        }
        thread.model = reloaded.model;
        thread.shared = reloaded.shared;
        shared = reloaded.shared;
      } catch (err) {
        if (i === 0) throw err;
        this.onProblem(`an engine thread could not reload (${(err as Error).message}); starting new threads`);
        return false;
      }
    }
    return true;
  }

  /** Messages the threads have answered since the pool started. */
  get answered(): number {
    return this.turns;
  }

  /** Threads running now. */
  get size(): number {
    return this.threads.filter((t) => Number.isFinite(t.load)).length;
  }

  respond(message: IncomingMessage, state: ConversationState): Promise<EngineTurn> {
    const { address: _address, ...plain } = message;
    return this.ask<EngineTurn>((id) => ({ kind: 'respond', id, message: plain, state })).then((turn) => {
      this.turns++;
      return turn;
    });
  }

  candidates(text: string): Promise<Candidate[]> {
    return this.ask((id) => ({ kind: 'candidates', id, text }));
  }

  searchIds(text: string, limit?: number): Promise<string[]> {
    return this.ask((id) => ({ kind: 'search', id, text, limit }));
  }

  /** Requests sent to a second thread because the first was slow or failed. */
  get hedged(): number {
    return this.hedges;
  }

  /**
   * Sends a request to the thread with the fewest in flight; when it has not answered in HEDGE_AFTER_MS, or
   * failed, to another thread too. The engine has no side effects, so the second answer is simply dropped.
   */
  private ask<T>(make: (id: number) => ToEngineThread): Promise<T> {
    const first = this.pick();
    if (!first) return Promise.reject(new Error('no engine thread is running'));
    return new Promise<T>((resolve, reject) => {
      let running = 0;
      let settled = false;
      let hedgedYet = false;
      const settle = (finish: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        finish();
      };
      const hedge = (): boolean => {
        if (hedgedYet || settled) return false;
        hedgedYet = true;
        const second = this.pick(first);
        if (!second) return false;
        this.hedges++;
        run(second);
        return true;
      };
      const run = (thread: EngineThread): void => {
        running++;
        thread.request<T>(make).then(
          (value) => settle(() => resolve(value)),
          (err: Error) => {
            running--;
            if (running === 0 && !hedge()) settle(() => reject(err));
          },
        );
      };
      const timer = setTimeout(hedge, HEDGE_AFTER_MS);
      run(first);
    });
  }

  /** The running thread with the fewest requests in flight, other than `except`. */
  private pick(except?: EngineThread): EngineThread | undefined {
    let best: EngineThread | undefined;
    for (const t of this.threads) if (t !== except && Number.isFinite(t.load) && (!best || t.load < best.load)) best = t;
    return best;
  }

  /** Ends one thread as a crash would (for tests of the recovery). */
  async crashOne(): Promise<void> {
    await this.threads[0]?.kill();
  }

  /** Blocks the first thread for `ms` (for tests of hedging). */
  stallOne(ms: number): void {
    this.threads[0]?.stall(ms);
  }

  /** Ends every thread as a crash would (for tests of the recovery). */
  async crashAll(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.kill()));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.stop()));
  }

  private restart(thread: EngineThread, code: number): void {
    if (this.closed) return;
    this.onProblem(`an engine thread stopped (exit code ${code}); starting a new one`);
    const wait = Math.max(0, this.lastRestart + RESTART_DELAY_MS - Date.now());
    this.lastRestart = Date.now() + wait;
    setTimeout(() => {
      if (this.closed) return;
      const shared = this.threads.find((t) => t !== thread && t.shared)?.shared;
      EngineThread.start(shared ? { ...this.settings, sharedModel: shared } : this.settings, (t, c) => this.restart(t, c), this.analysisStats).then(
        (fresh) => {
          if (this.closed) return void fresh.stop();
          const at = this.threads.indexOf(thread);
          // A thread of a generation replaced in the meantime is not brought back.
          if (at < 0) return void fresh.stop();
          this.threads[at] = fresh;
          this.emit('restarted');
        },
        (err: Error) => this.onProblem(`an engine thread could not be started again: ${err.message}`),
      );
    }, wait).unref();
  }
}
