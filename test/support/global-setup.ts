/** Trains the sample knowledge base once per test run; every server started by a test loads it from this cache. */
import { mkdirSync } from 'node:fs';
import { loadIntents } from '../../src/knowledge/intents-loader.ts';
import { loadKnowledgeBase } from '../../src/knowledge/knowledge-loader.ts';
import { loadOrTrainModel } from '../../src/nlu/bot-model.ts';
import { SHARED_MODEL_CACHE } from './paths.ts';

export default async function setup(): Promise<void> {
  mkdirSync(SHARED_MODEL_CACHE, { recursive: true });
  await loadOrTrainModel(loadKnowledgeBase('knowledge'), loadIntents('intents'), { cacheDir: SHARED_MODEL_CACHE });
}
