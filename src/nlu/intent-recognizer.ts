/**
 * Conversational intents (greeting, thanks, ask for a human, …) with node-nlp. Chinese goes through
 * our own normalisation and jieba segmentation instead of @nlpjs/lang-zh's pinyin pipeline.
 */
import type { Lang } from '../core/message.ts';
import type { ConversationalIntent } from '../knowledge/types.ts';
import type { TextPipeline } from './text-pipeline.ts';

/** The part of @nlpjs/nlp's Nlp the recognizer uses. */
interface Manager {
  container: { register(name: string, item: unknown, isSingleton?: boolean): void };
  addDocument(locale: string, utterance: string, intent: string): void;
  train(): Promise<unknown>;
  process(locale: string, utterance: string): Promise<{ intent: string; score: number }>;
  toJSON(): unknown;
  fromJSON(json: unknown): void;
}

/**
 * @nlpjs/nlp with English only (@nlpjs/lang-en-min), imported when a recognizer is first built: node-nlp's
 * NlpManager loads every language's data and Microsoft's entity recognisers (about 50 MB of strings per
 * thread) for intents that need none of them. The model it trains and exports is the same Nlp's.
 */
async function createNlp(settings: Record<string, unknown>): Promise<Manager> {
  const [{ containerBootstrap }, { Nlp }, { LangEn }] = await Promise.all([import('@nlpjs/core'), import('@nlpjs/nlp'), import('@nlpjs/lang-en-min')]);
  const container = containerBootstrap();
  container.use(LangEn);
  return new Nlp({ ...settings, container }) as unknown as Manager;
}

export interface IntentMatch {
  intent: string;
  score: number;
}

const splitOnSpaces = (text: string): string[] => text.split(' ').filter(Boolean);

/**
 * Least share of a message's tokens that the intents' own utterances contain. node-nlp scores a message
 * with one familiar token as confidently as a real utterance ("公积金" shares 公 with nothing and still
 * came out as "human" at 1.0), so a message mostly made of words no intent knows is not an intent.
 */
const MIN_KNOWN_SHARE = 0.5;

export class IntentRecognizer {
  private readonly vocabulary = new Set<string>();

  private constructor(
    private readonly manager: Manager,
    private readonly pipeline: TextPipeline,
    intents: readonly ConversationalIntent[],
  ) {
    for (const intent of intents) {
      for (const lang of ['zh', 'en'] as const) {
        for (const u of intent.utterances[lang] ?? []) for (const t of splitOnSpaces(this.toNlpText(u, lang))) this.vocabulary.add(t);
      }
    }
  }

  private static async createManager(): Promise<Manager> {
    const manager = await createNlp({
      languages: ['zh', 'en'],
      forceNER: false,
      autoSave: false,
      autoLoad: false,
      nlu: { log: false, useNoneFeature: true },
    });
    // Chinese arrives already normalised and segmented: words plus single Han characters.
    manager.container.register('tokenizer-zh', { tokenize: splitOnSpaces }, true);
    manager.container.register('stemmer-zh', { stem: (t: string[]) => t, tokenizeAndStem: splitOnSpaces }, true);
    manager.container.register('normalizer-zh', { normalize: (t: string) => t }, true);
    manager.container.register('stopwords-zh', { isNotStopword: () => true, removeStopwords: (t: string[]) => t }, true);
    return manager;
  }

  static async train(intents: readonly ConversationalIntent[], pipeline: TextPipeline): Promise<IntentRecognizer> {
    const manager = await IntentRecognizer.createManager();
    const recognizer = new IntentRecognizer(manager, pipeline, intents);
    for (const intent of intents) {
      for (const lang of ['zh', 'en'] as const) {
        for (const u of intent.utterances[lang] ?? []) manager.addDocument(lang, recognizer.toNlpText(u, lang), intent.id);
      }
    }
    await manager.train();
    return recognizer;
  }

  static async fromExport(data: string, pipeline: TextPipeline, intents: readonly ConversationalIntent[]): Promise<IntentRecognizer> {
    const manager = await IntentRecognizer.createManager();
    manager.fromJSON(JSON.parse(data));
    return new IntentRecognizer(manager, pipeline, intents);
  }

  export(): string {
    return JSON.stringify(this.manager.toJSON());
  }

  async recognize(text: string, lang: Lang): Promise<IntentMatch> {
    const nlpText = this.toNlpText(text, lang);
    const tokens = splitOnSpaces(nlpText);
    const known = tokens.filter((t) => this.vocabulary.has(t)).length;
    if (tokens.length === 0 || known / tokens.length < MIN_KNOWN_SHARE) return { intent: 'None', score: 1 };
    const result = await this.manager.process(lang, nlpText);
    return { intent: result.intent, score: result.score };
  }

  private toNlpText(text: string, lang: Lang): string {
    const prepared = this.pipeline.prepare(text);
    if (lang === 'en') return prepared.normalized;
    return [...prepared.tokens.words, ...prepared.tokens.hanChars].join(' ');
  }
}
