/** Turns raw text into what the classifiers consume: normalised text, tokens and raw features. */
import { extractFeatures } from './features.ts';
import { HomophoneCorrector } from './homophone-corrector.ts';
import { normalize, SynonymMap } from './normalize.ts';
import { Tokenizer, type Tokens } from './tokenize.ts';

export interface PreparedText {
  normalized: string;
  tokens: Tokens;
  features: Map<string, number>;
}

/** How many recent texts `prepare` remembers: the FAQ matcher and the intent recognizer see each message once between them. */
const RECENT_TEXTS = 64;

export class TextPipeline {
  readonly synonyms: SynonymMap;
  private readonly tokenizer: Tokenizer;
  private readonly corrector: HomophoneCorrector | null;
  private readonly recent = new Map<string, PreparedText>();

  /** `vocabulary`: the knowledge base's words, against which homophone typos are corrected (none when absent). */
  constructor(
    options: { synonyms?: ReadonlyMap<string, readonly string[]>; userWords?: Iterable<string>; vocabulary?: Iterable<string> } = {},
  ) {
    this.synonyms = new SynonymMap(options.synonyms ?? new Map());
    const words = new Set(options.userWords ?? []);
    for (const [canonical] of options.synonyms ?? []) words.add(canonical);
    this.tokenizer = Tokenizer.shared(words);
    this.corrector = options.vocabulary ? new HomophoneCorrector(options.vocabulary, words) : null;
  }

  /** The words homophone typos are corrected to (empty without a vocabulary). */
  get vocabulary(): string[] {
    return this.corrector?.vocabulary ?? [];
  }

  /** The words of a text as segmented, without homophone correction (to build a vocabulary). */
  words(text: string): string[] {
    return this.tokenizer.tokenize(normalize(text, this.synonyms)).words;
  }

  /** The text normalised, corrected, segmented and turned into features; the result is shared, so callers must not change it. */
  prepare(text: string): PreparedText {
    const seen = this.recent.get(text);
    if (seen) return seen;
    const prepared = this.compute(text);
    if (this.recent.size >= RECENT_TEXTS) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(text, prepared);
    return prepared;
  }

  private compute(text: string): PreparedText {
    const basic = normalize(text, this.synonyms);
    const normalized = this.corrector ? this.corrector.correct(basic, (run) => this.tokenizer.cutKnown(run)) : basic;
    const tokens = this.tokenizer.tokenize(normalized);
    return { normalized, tokens, features: extractFeatures(normalized, tokens) };
  }
}
