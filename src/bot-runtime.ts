/** Loads the knowledge base, intents and the trained model into an engine; reloads keep the last good one on failure. */
import { Engine, type EngineOptions } from './core/engine.ts';
import { loadIntents } from './knowledge/intents-loader.ts';
import { loadKnowledgeBase } from './knowledge/knowledge-loader.ts';
import { loadOrTrainModel } from './nlu/bot-model.ts';
import type { Config } from './config.ts';
import type { KnowledgeBase } from './knowledge/types.ts';

/** Builds an engine from the configured folders, training (or loading the cached model) as needed. */
export async function buildEngine(
  config: Pick<Config, 'KNOWLEDGE_DIR' | 'INTENTS_DIR' | 'MODEL_CACHE_DIR' | 'ENGINE' | 'DECISION_STRICTNESS'>,
  options: EngineOptions = {},
  /** Engine v2: a model buffer another thread built, mapped instead of built or read (see ModelOptions.shared). */
  shared?: SharedArrayBuffer,
  /** The knowledge base, when the caller has already loaded it from KNOWLEDGE_DIR. */
  kb: KnowledgeBase = loadKnowledgeBase(config.KNOWLEDGE_DIR),
): Promise<Engine> {
  const intents = loadIntents(config.INTENTS_DIR);
  const model = await loadOrTrainModel(kb, intents, { cacheDir: config.MODEL_CACHE_DIR, engine: config.ENGINE, strictness: config.DECISION_STRICTNESS, shared });
  return new Engine(model, intents, options);
}
