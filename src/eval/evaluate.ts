/** Trains on a knowledge base and runs evaluation cases through the real engine, each case a fresh conversation. */
import { Engine } from '../core/engine.ts';
import type { ConversationalIntent, KnowledgeBase } from '../knowledge/types.ts';
import { loadOrTrainModel, type ModelOptions } from '../nlu/bot-model.ts';
import type { EvalCase } from './eval-cases.ts';
import { score, type EvalMetrics } from './metrics.ts';

/** The engine an evaluation measures: v1 by default; for v2, optionally the decision learned without a set. */
export type EngineChoice = Pick<ModelOptions, 'engine' | 'decisionWithout'>;

export async function evaluateKnowledgeBase(
  kb: KnowledgeBase,
  cases: readonly EvalCase[],
  intents: readonly ConversationalIntent[] | null = null,
  choice: EngineChoice = {},
): Promise<EvalMetrics & { calibration: unknown }> {
  const model = await loadOrTrainModel(kb, intents, { engine: choice.engine, decisionWithout: choice.decisionWithout });
  const engine = new Engine(model, intents ?? [], { analysisCacheSize: 0 });
  const results = [];
  let n = 0;
  for (const c of cases) {
    const started = performance.now();
    const turn = await engine.respond(
      { channel: 'eval', conversationId: `eval-${n++}`, senderId: 'eval', text: c.text, time: new Date() },
      { misses: 0 },
    );
    const ms = performance.now() - started;
    results.push({ expect: c.expect, outcome: turn.result.outcome, top: turn.result.candidates[0]?.entryId ?? null, ms });
  }
  return { ...score(results, model.trainMs), calibration: model.matcher.report };
}
