/**
 * Engine threads: the matching runs on other cores while the main thread does HTTP, sockets and the one
 * SQLite writer. Each thread holds its own copy of the model, loaded from the disk cache. A request goes to
 * the thread with the fewest in flight; a thread that dies fails its requests (the caller answers them on
 * the main thread) and is started again.
 */
import { Worker } from 'node:worker_threads';
import type { ConversationState } from '../core/conversation-state.ts';
import type { AnalysisCacheStats, EngineTurn, Responder } from '../core/engine.ts';
import type { IncomingMessage } from '../core/message.ts';
import type { EngineThreadSettings, FromEngineThread, ToEngineThread } from './engine-protocol.ts';

/** How long a thread may take to load its model (a cold cache means training). */
const START_TIMEOUT_MS = 10 * 60_000;
/** The least time between restarts of a thread that keeps dying. */
const RESTART_DELAY_MS = 5_000;

/** The worker is TypeScript: it registers tsx in its own thread, then loads the engine worker module. */
function bootstrap(): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new URL('./engine-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

class EngineThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private alive = false;

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

  get load(): number {
    return this.alive ? this.pending.size : Number.POSITIVE_INFINITY;
  }

  request<T>(make: (id: number) => ToEngineThread): Promise<T> {
    if (!this.alive) return Promise.reject(new Error('the engine thread is not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
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
    else if (message.kind === 'reloaded') p.resolve(undefined);
    else p.reject(new Error(message.error));
  }

  async stop(): Promise<void> {
    this.alive = false;
    await this.worker.terminate();
  }

  /** For tests of the recovery: ends the thread as a crash would. */
  kill(): Promise<number> {
    return this.worker.terminate();
  }
}

export class EnginePool implements Responder {
  private closed = false;
  private lastRestart = 0;
  private turns = 0;
  /** Analysis-cache hits and misses of all threads, past ones included. */
  readonly analysisStats: AnalysisCacheStats = { hits: 0, misses: 0 };

  private constructor(
    private readonly settings: EngineThreadSettings,
    private readonly threads: EngineThread[],
    private readonly onProblem: (message: string) => void,
  ) {}

  /** Starts `size` threads and resolves once every one has loaded its model. */
  static async start(settings: EngineThreadSettings, size: number, onProblem: (message: string) => void = () => undefined): Promise<EnginePool> {
    const threads: EngineThread[] = [];
    const pool = new EnginePool(settings, threads, onProblem);
    const started = await Promise.allSettled(Array.from({ length: size }, () => EngineThread.start(settings, (t, code) => pool.restart(t, code), pool.analysisStats)));
    for (const s of started) if (s.status === 'fulfilled') threads.push(s.value);
    const failure = started.find((s) => s.status === 'rejected');
    if (failure) {
      await pool.close();
      throw failure.reason as Error;
    }
    return pool;
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
    let best: EngineThread | undefined;
    for (const t of this.threads) if (!best || t.load < best.load) best = t;
    if (!best || !Number.isFinite(best.load)) return Promise.reject(new Error('no engine thread is running'));
    return best.request<EngineTurn>((id) => ({ kind: 'respond', id, message: plain, state })).then((turn) => {
      this.turns++;
      return turn;
    });
  }

  /** Every thread rebuilds its engine from the folders (after the main thread wrote the new model to the cache). */
  async reload(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.request<void>((id) => ({ kind: 'reload', id }))));
  }

  /** Ends one thread as a crash would (for tests of the recovery). */
  async crashOne(): Promise<void> {
    await this.threads[0]?.kill();
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
      EngineThread.start(this.settings, (t, c) => this.restart(t, c), this.analysisStats).then(
        (fresh) => {
          if (this.closed) return void fresh.stop();
          const at = this.threads.indexOf(thread);
          if (at >= 0) this.threads[at] = fresh;
          else this.threads.push(fresh);
        },
        (err: Error) => this.onProblem(`an engine thread could not be started again: ${err.message}`),
      );
    }, wait).unref();
  }
}
