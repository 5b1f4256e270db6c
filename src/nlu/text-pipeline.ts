/** Turns raw text into what the classifiers consume: normalised text, tokens and raw features. */
import { extractFeatures } from './features.ts';
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

  constructor(options: { synonyms?: ReadonlyMap<string, readonly string[]>; userWords?: Iterable<string> } = {}) {
    this.synonyms = new SynonymMap(options.synonyms ?? new Map());
    const words = new Set(options.userWords ?? []);
    for (const [canonical] of options.synonyms ?? []) words.add(canonical);
    this.tokenizer = new Tokenizer(words);
  }

  prepare(text: string): PreparedText {
    const normalized = normalize(text, this.synonyms);
    const tokens = this.tokenizer.tokenize(normalized);
    return { normalized, tokens, features: extractFeatures(normalized, tokens) };
  }
}
