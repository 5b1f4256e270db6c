/**
 * An engine thread: builds its own engine from the configured folders (training and writing the model cache
 * when it is cold) and answers the main thread's requests. A new knowledge base gets new threads (v1), or is
 * built by each thread in turn on a `reload` request (v2, whose live edits take milliseconds).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildEngine } from '../bot-runtime.ts';
import type { AnalysisCacheStats, Engine } from '../core/engine.ts';
import type { KnowledgeBase } from '../knowledge/types.ts';
import type { EngineThreadSettings, FromEngineThread, ThreadReloaded, ToEngineThread } from './engine-protocol.ts';

const port = parentPort!;
const settings = workerData as EngineThreadSettings;
const post = (message: FromEngineThread): void => port.postMessage(message);
const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Counted by every engine this thread builds; each turn message carries what was added since the last one. */
const stats: AnalysisCacheStats = { hits: 0, misses: 0 };
const reported: AnalysisCacheStats = { hits: 0, misses: 0 };
const analysisSinceLastTurn = (): AnalysisCacheStats => {
  const delta = { hits: stats.hits - reported.hits, misses: stats.misses - reported.misses };
  Object.assign(reported, stats);
  return delta;
};

let engine: Engine;
try {
  engine = await buildEngine(settings, { analysisStats: stats }, settings.sharedModel, settings.knowledge);
  post({ kind: 'ready', model: engine.modelInfo, shared: engine.sharedModel });
} catch (err) {
  post({ kind: 'failed', error: reason(err) });
  process.exit(1);
}

/** Builds the engine again (mapping `shared`, else the current model's buffer, when it fits) and swaps it in; on failure the current one stays. */
const reload = async (shared: SharedArrayBuffer | null, knowledge: KnowledgeBase | null): Promise<ThreadReloaded> => {
  const next = await buildEngine(settings, { analysisStats: stats }, shared ?? engine.sharedModel ?? undefined, knowledge ?? undefined);
  engine = next;
  return { model: next.modelInfo, shared: next.sharedModel };
};

const answer = (id: number, work: Promise<unknown>): void => {
  work.then(
    (value) => post({ kind: 'value', id, value }),
    (err: unknown) => post({ kind: 'error', id, error: reason(err) }),
  );
};

port.on('message', (request: ToEngineThread) => {
  if (request.kind === 'respond') {
    engine.respond(request.message, request.state).then(
      (turn) => post({ kind: 'turn', id: request.id, turn, analysis: analysisSinceLastTurn() }),
      (err: unknown) => post({ kind: 'error', id: request.id, error: reason(err) }),
    );
  } else if (request.kind === 'candidates') answer(request.id, engine.candidates(request.text));
  else if (request.kind === 'search') answer(request.id, engine.searchIds(request.text, request.limit));
  else if (request.kind === 'reload') answer(request.id, reload(request.shared, request.knowledge));
  else if (request.kind === 'stall') {
    const until = performance.now() + request.ms;
    while (performance.now() < until);
  }
});
