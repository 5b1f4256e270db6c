/** The trained understanding of one knowledge base: FAQ matcher plus conversational intents, cached on disk. */
import { knowledgeVocabulary } from './knowledge-vocabulary.ts';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConversationalIntent, KnowledgeBase } from '../knowledge/types.ts';
import { FaqMatcher, MATCHER_STATE_VERSION, type MatcherDataset, type MatcherState } from './faq-matcher.ts';
import { IntentRecognizer } from './intent-recognizer.ts';

export interface BotModel {
  kb: KnowledgeBase;
  matcher: FaqMatcher;
  intents: IntentRecognizer | null;
  trainMs: number;
  fromCache: boolean;
}

interface CachedModel {
  matcher: MatcherState;
  intents: string | null;
  trainMs: number;
}

/** One class per entry: its questions in every language plus its titles. */
export function datasetFromKnowledge(kb: KnowledgeBase): MatcherDataset {
  const { synonyms, userWords } = knowledgeVocabulary(kb);
  return {
    classes: kb.entries.map((e) => ({
      id: e.id,
      questions: [...(e.questions.zh ?? []), ...(e.questions.en ?? [])],
      // The title and the answer's own words teach vocabulary that citizens use but the question variants miss.
      extra: [
        ...Object.values(e.title),
        ...Object.values(e.answer).flatMap(answerSentences),
        ...(e.keywords.length > 0 ? [e.keywords.join(' ')] : []),
      ],
    })),
    synonyms,
    userWords: [...userWords],
  };
}

/** An answer split into sentences or list items, each a short training text. */
function answerSentences(answer: string): string[] {
  return answer
    .split(/[\n。！？!?]|(?<=[a-z])\.\s/)
    .map((s) => s.replace(/^\s*(?:\d+[.、]|[-*•])\s*/, '').trim())
    .filter((s) => s.length >= 6 && !/^https?:/.test(s));
}

function cacheKey(kb: KnowledgeBase, intents: readonly ConversationalIntent[] | null): string {
  return createHash('sha256')
    .update(`v${MATCHER_STATE_VERSION}\n${kb.hash}\n${JSON.stringify(intents)}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * Trains on the knowledge base (and intents, if given). With a cache folder, a model trained on the
 * same content is loaded instead of trained again.
 */
export async function loadOrTrainModel(
  kb: KnowledgeBase,
  intents: readonly ConversationalIntent[] | null,
  options: { cacheDir?: string } = {},
): Promise<BotModel> {
  const dataset = datasetFromKnowledge(kb);
  const file = options.cacheDir ? join(options.cacheDir, `model-${cacheKey(kb, intents)}.json`) : null;
  if (file) {
    const cached = readCache(file);
    if (cached) {
      const matcher = FaqMatcher.fromState(cached.matcher);
      const recognizer = cached.intents && intents ? await IntentRecognizer.fromExport(cached.intents, matcher.pipeline, intents) : null;
      return { kb, matcher, intents: recognizer, trainMs: cached.trainMs, fromCache: true };
    }
  }
  const started = performance.now();
  const matcher = FaqMatcher.train(dataset);
  const recognizer = intents ? await IntentRecognizer.train(intents, matcher.pipeline) : null;
  const trainMs = Math.round(performance.now() - started);
  if (file && options.cacheDir) {
    // 0700: the cache usually sits in the data folder beside the database, which it may be the first to create.
    mkdirSync(options.cacheDir, { recursive: true, mode: 0o700 });
    const payload: CachedModel = { matcher: matcher.toState(), intents: recognizer?.export() ?? null, trainMs };
    writeFileSync(`${file}.tmp`, JSON.stringify(payload));
    renameSync(`${file}.tmp`, file);
  }
  return { kb, matcher, intents: recognizer, trainMs, fromCache: false };
}

function readCache(file: string): CachedModel | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as CachedModel;
    return parsed.matcher?.version === MATCHER_STATE_VERSION ? parsed : null;
  } catch {
    return null;
  }
}
