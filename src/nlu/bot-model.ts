/** The trained understanding of one knowledge base: FAQ matcher plus conversational intents, cached on disk. */
import { knowledgeVocabulary, vocabularyKey } from './knowledge-vocabulary.ts';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ConversationalIntent, KnowledgeBase } from '../knowledge/types.ts';
import { EntryIndex } from './entry-index.ts';
import { FaqMatcher, MATCHER_STATE_VERSION, type MatchResult, type MatcherDataset, type MatcherState } from './faq-matcher.ts';
import { LiveEntryIndex, REBUILD_SHARE } from './live-entry-index.ts';
import { RetrievalMatcher, shippedDecision } from './retrieval-matcher.ts';
import { TextPipeline } from './text-pipeline.ts';
import { readV2Buffer, readV2Meta, v2IndexBase, v2Key } from './v2-cache-files.ts';
import { IntentRecognizer } from './intent-recognizer.ts';

/** What the engine asks of a matcher: v1's trained FaqMatcher or v2's RetrievalMatcher. */
export interface Matcher {
  match(text: string): MatchResult;
  /** How the matcher was calibrated (v1), for `huiying train` and the evaluation's detail. */
  readonly report?: unknown;
}

/** The engine that understands questions (ENGINE). */
export type EngineVersion = 'v1' | 'v2';

export interface ModelOptions {
  /** A folder where built models are kept by a hash of their content and loaded instead of built again. */
  cacheDir?: string;
  engine?: EngineVersion;
  /** Engine v2's DECISION_STRICTNESS. */
  strictness?: number;
  /** Engine v2, for evaluation: the shipped decision learned without this labelled set (see shippedDecision). */
  decisionWithout?: string;
  /** Engine v2: a model buffer built for this knowledge base by another thread, mapped (not copied) when it matches. */
  shared?: SharedArrayBuffer;
}

export interface BotModel {
  kb: KnowledgeBase;
  matcher: Matcher;
  intents: IntentRecognizer | null;
  trainMs: number;
  fromCache: boolean;
  /** Engine v2: the model as one SharedArrayBuffer, for other threads to map. */
  shared?: SharedArrayBuffer;
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
export async function loadOrTrainModel(kb: KnowledgeBase, intents: readonly ConversationalIntent[] | null, options: ModelOptions = {}): Promise<BotModel> {
  if (options.engine === 'v2') return loadOrBuildV2(kb, intents, options);
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

/**
 * Engine v2: the entry index (one binary buffer, cached as `model-v2-<hash>.bin` with its build time in
 * `model-v2-<hash>.json`) with the shipped decision, and the conversational intents (node-nlp, cached as
 * `intents-<hash>.json`). The intents depend only on the intents and the words the knowledge base teaches the
 * pipeline (synonyms, keywords), so editing an entry's questions or answer does not train them again.
 *
 * Live edits: a knowledge base the cache has no index for is served, when it differs from the last full build
 * (`model-v2-latest.json`, its knowledge base kept as `model-v2-<hash>.kb.json`) in at most REBUILD_SHARE of
 * its entries, by that build plus an overlay of the changed entries (LiveEntryIndex), built in milliseconds;
 * past that share it is built in full and becomes the new base.
 */
async function loadOrBuildV2(kb: KnowledgeBase, intents: readonly ConversationalIntent[] | null, options: ModelOptions): Promise<BotModel> {
  const vocabulary = knowledgeVocabulary(kb);
  const intentsKey = v2Key(`${vocabularyKey(vocabulary)}\n${JSON.stringify(intents)}`);
  const intentsFile = options.cacheDir && intents ? join(options.cacheDir, `intents-${intentsKey}.json`) : null;
  const started = performance.now();
  const built = loadOrBuildIndex(kb, options);
  // The same intents and words as the model this thread served last: its recognizer (read-only) serves again.
  const reused = lastIntents?.key === intentsKey ? lastIntents.recognizer : null;
  const recognizer = intents ? (reused ?? (await loadOrTrainIntents(intents, new TextPipeline(vocabulary), intentsFile))) : null;
  if (recognizer) lastIntents = { key: intentsKey, recognizer };
  return {
    kb,
    matcher: new RetrievalMatcher(built.index, shippedDecision(options.decisionWithout), options.strictness),
    intents: recognizer,
    trainMs: built.fromCache ? built.indexMs : Math.round(performance.now() - started),
    fromCache: built.fromCache,
    shared: built.shared,
  };
}

/** Engine v2's entry index for `kb`: from the cache, as live edits over the last full build, or built in full. */
function loadOrBuildIndex(kb: KnowledgeBase, options: ModelOptions): { index: EntryIndex | LiveEntryIndex; shared: SharedArrayBuffer; fromCache: boolean; indexMs: number } {
  const started = performance.now();
  const file = (hash: string): string | null => (options.cacheDir ? v2IndexBase(options.cacheDir, hash) : null);
  // A buffer another thread already holds is mapped when it is the one wanted; otherwise the file is read.
  const mapped = (base: string, forKb: KnowledgeBase): { index: EntryIndex; shared: SharedArrayBuffer } | null => {
    const held = options.shared ? indexOn(options.shared, forKb) : null;
    if (held) return { index: held, shared: options.shared! };
    const read = readV2Buffer(base);
    const index = read ? indexOn(read, forKb) : null;
    return read && index ? { index, shared: read } : null;
  };
  const own = file(kb.hash);
  const cachedMs = own ? readV2Meta(own) : null;
  const cached = cachedMs === null ? null : mapped(own!, kb);
  if (cached) return { ...cached, fromCache: true, indexMs: cachedMs! };

  const latest = options.cacheDir ? readLatestBase(options.cacheDir) : null;
  const base = latest ? mapped(file(latest.hash)!, latest) : null;
  if (latest && base) {
    const live = LiveEntryIndex.over(base.index, latest).apply(kb);
    if (live.changedShare <= REBUILD_SHARE) return { index: live, shared: base.shared, fromCache: false, indexMs: Math.round(performance.now() - started) };
  }

  const shared = EntryIndex.build(kb).toBuffer({ shared: true }) as SharedArrayBuffer;
  const indexMs = Math.round(performance.now() - started);
  if (own && options.cacheDir) {
    mkdirSync(options.cacheDir, { recursive: true, mode: 0o700 });
    writeAtomically(`${own}.bin`, new Uint8Array(shared));
    writeAtomically(`${own}.json`, JSON.stringify({ trainMs: indexMs }));
    writeAtomically(`${own}.kb.json`, JSON.stringify(kb));
    lastBase = { file: `${own}.kb.json`, kb };
    writeAtomically(join(options.cacheDir, LATEST_FILE), JSON.stringify({ hash: kb.hash }));
  }
  return { index: EntryIndex.fromBuffer(shared, kb), shared, fromCache: false, indexMs };
}

/** Names the knowledge base of the last full v2 build, the base that live edits are laid over. */
const LATEST_FILE = 'model-v2-latest.json';

/** The base knowledge base this thread read last (a reload of a large base need not parse it again). */
let lastBase: { file: string; kb: KnowledgeBase } | null = null;

/** The knowledge base of the last full v2 build in the cache folder, or null when there is none (or it is unreadable). */
function readLatestBase(cacheDir: string): KnowledgeBase | null {
  try {
    const { hash } = JSON.parse(readFileSync(join(cacheDir, LATEST_FILE), 'utf8')) as { hash: string };
    const file = `${v2IndexBase(cacheDir, hash)}.kb.json`;
    // The file's name is made from the hash: the same name is the same knowledge base.
    if (lastBase?.file === file) return lastBase.kb;
    const kb = JSON.parse(readFileSync(file, 'utf8')) as KnowledgeBase;
    if (kb.hash !== hash || !Array.isArray(kb.entries)) return null;
    lastBase = { file, kb };
    return kb;
  } catch {
    return null;
  }
}

/** The intents recognizer engine v2 made last in this thread, by the key of its intents and words. */
let lastIntents: { key: string; recognizer: IntentRecognizer } | null = null;

/** The conversational intents from their cache file, or trained (and cached) when it is absent or unreadable. */
async function loadOrTrainIntents(intents: readonly ConversationalIntent[], pipeline: TextPipeline, file: string | null): Promise<IntentRecognizer> {
  if (file) {
    try {
      return await IntentRecognizer.fromExport(readFileSync(file, 'utf8'), pipeline, intents);
    } catch {
      // Absent or unreadable: trained below.
    }
  }
  const recognizer = await IntentRecognizer.train(intents, pipeline);
  if (file) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeAtomically(file, recognizer.export());
  }
  return recognizer;
}

/** Writes a file whole or not at all (a temporary file renamed over it). */
function writeAtomically(file: string, data: string | Uint8Array): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

/** The index in a model buffer, or null when the buffer was not built from this knowledge base's entries. */
function indexOn(buffer: SharedArrayBuffer, kb: KnowledgeBase): EntryIndex | null {
  try {
    return EntryIndex.fromBuffer(buffer, kb);
  } catch {
    return null;
  }
}

