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

export class TextPipeline {
  readonly synonyms: SynonymMap;
  private readonly tokenizer: Tokenizer;
  private readonly corrector: HomophoneCorrector | null;

  /** `vocabulary`: the knowledge base's words, against which homophone typos are corrected (none when absent). */
  constructor(
    options: { synonyms?: ReadonlyMap<string, readonly string[]>; userWords?: Iterable<string>; vocabulary?: Iterable<string> } = {},
  ) {
    this.synonyms = new SynonymMap(options.synonyms ?? new Map());
    const words = new Set(options.userWords ?? []);
    for (const [canonical] of options.synonyms ?? []) words.add(canonical);
    this.tokenizer = new Tokenizer(words);
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

  prepare(text: string): PreparedText {
    const basic = normalize(text, this.synonyms);
    const normalized = this.corrector ? this.corrector.correct(basic, (run) => this.tokenizer.cutKnown(run)) : basic;
    const tokens = this.tokenizer.tokenize(normalized);
    return { normalized, tokens, features: extractFeatures(normalized, tokens) };
  }
}
